"""Who may do what, where: roles, their powers and the places they hold them over.

A pure layer below ``registry`` and ``accounts``: it imports no app. It reads a user's grants through the user
object's own relations (``user.role_grants``, each with its area or organisation, and an organisation's
``areas``), so both the registry (which the grants point at) and accounts (which holds them) can ask it.
"""
