"""What every incident page shares: who may read them."""

from core.web_forms import page_reader

# Signed in, and allowed to read incidents (writes are checked by the services).
reader = page_reader("incidents.view_incident")
