"""What administrators keep as data is in the admin, in both languages."""
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/admin/appeals/escalationrung/", "/admin/appeals/replytemplate/",
                                 "/admin/appeals/replytemplate/add/", "/admin/appeals/supervision/",
                                 "/admin/appeals/appealrequest/", "/admin/appeals/appealrating/"])
def test_the_ladder_templates_and_records_are_in_the_admin_in_english_too(login, url):
    client = login("admin")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = re.sub(r"<select.*?</select>", " ", page.content.decode().split('id="result_list"')[0], flags=re.S)
    chrome = re.sub(r"<[^>]+>", " ", html)  # the page's own words, not the data in its lists
    labels = set(re.findall(r"[\u4e00-\u9fff]+", chrome)) - {"社区督办", "街道督办", "区级督办", "市", "中心督办"}
    assert not labels, labels  # the rung names are data; every label of the page is translated
