"""The web shell: layout, login, pages, static assets and translations."""
