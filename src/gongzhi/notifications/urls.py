from django.urls import path

from . import views

staff = [path("messages/", views.staff_inbox, name="messages")]
portal = [
    path("messages/", views.portal_inbox, name="messages"),
    path("messages/<int:pk>", views.open_notification, name="message_open"),
    path("messages/read", views.read_all, name="messages_read"),
]
