"""A small closed-loop HTTP load generator, run as its own process so it does not share the server's GIL.

Each of ``concurrency`` threads sends one request, waits for the whole response, and sends the next.
New connection per request, as gunicorn's sync workers close them. Prints one JSON object. A 2xx answer counts;
so does a status named with ``--accept`` (a 409 that is the right answer: out of stock); anything else is an error.
``statuses`` counts every answer by status, ``codes`` the ``code`` of the accepted non-2xx JSON answers.
"""
import argparse
import http.client
import json
import threading
import time
import uuid
from urllib.parse import urlsplit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=0, help="stop after this many (0: by duration)")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="", help="request body (sent as JSON)")
    parser.add_argument("--header", action="append", default=[], help="Name: value (repeatable)")
    parser.add_argument("--unique-header", default="", help="a header given a fresh UUID on every request")
    parser.add_argument("--rotate-header", default="", help="Name:FILE — each request takes the next line of FILE "
                        "as this header's value, once (many users, one each); the run stops when they are used up")
    parser.add_argument("--rotate-body", default="", help="FILE — each request takes the next line of FILE as its body "
                        "(round and round): several bodies in one run")
    parser.add_argument("--accept", type=int, action="append", default=[], help="a non-2xx status that counts as "
                        "answered (repeatable), e.g. 409 when the conflict is the right answer")
    args = parser.parse_args()
    bodies: list[bytes] = []
    if args.rotate_body:
        with open(args.rotate_body, encoding="utf-8") as f:
            bodies = [line.strip().encode() for line in f if line.strip()]
    rotating_name, values = "", []
    if args.rotate_header:
        rotating_name, _, path = args.rotate_header.partition(":")
        with open(path, encoding="utf-8") as f:
            values = [line.strip() for line in f if line.strip()]
        values.reverse()
    parts = urlsplit(args.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": args.cookie} if args.cookie else {}
    for line in args.header:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    body = args.body.encode() if args.body else None
    if body is not None or bodies:
        headers["Content-Type"] = "application/json"
    latencies: list[float] = []
    errors = [0]
    statuses: dict[str, int] = {}
    codes: dict[str, int] = {}
    sent_count = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + args.duration
    budget = [args.requests]

    def worker():
        while time.perf_counter() < deadline:
            if args.requests:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
            rotated = None
            if rotating_name:
                with lock:
                    if not values:
                        return
                    rotated = values.pop()
            this_body = body
            if bodies:
                with lock:
                    this_body = bodies[sent_count[0] % len(bodies)]
                    sent_count[0] += 1
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                sent = dict(headers)
                if args.unique_header:
                    sent[args.unique_header] = uuid.uuid4().hex
                if rotated is not None:
                    sent[rotating_name] = rotated
                conn.request(args.method, path, body=this_body, headers=sent)
                response = conn.getresponse()
                data = response.read()
                status = response.status
                ok = 200 <= status < 300 or status in args.accept
                conn.close()
            except OSError:
                ok, status, data = False, 0, b""
            elapsed = (time.perf_counter() - started) * 1000
            code = ""
            if ok and not 200 <= status < 300:
                try:
                    code = str(json.loads(data).get("code", ""))
                except (ValueError, AttributeError):
                    code = "?"
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if code:
                    codes[code] = codes.get(code, 0) + 1
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p):
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * p / 100)))], 2)

    print(json.dumps({"n": len(latencies), "errors": errors[0], "seconds": round(wall, 3),
                      "rps": round(len(latencies) / wall, 1), "p50": pct(50), "p95": pct(95), "p99": pct(99),
                      "statuses": statuses, "codes": codes}))


if __name__ == "__main__":
    main()
