"""What orgmap serves beside the Streamlit app: plain HTTP routes (``st.App(routes=...)``).

Streamlit scripts cannot set cookies; :mod:`orgmap.web.auth` can, so logging in,
logging out and the first run's administrator are POST routes here that set or
clear the session cookie and redirect back to the page.  Like the pages, they
reach the database only through :mod:`orgmap.services`.
"""
