"""Adapters: each translates one platform's updates into core events and renders core replies."""
