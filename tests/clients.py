"""Signed-in test clients: a page client and an API client for a user (None: signed out)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.test import APIClient


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_for(user: Any) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api
