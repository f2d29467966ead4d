"""The routers: login and logout, the pages, the JSON API, user administration."""
