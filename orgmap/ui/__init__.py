"""The Streamlit face of orgmap: pages, reusable widgets and the app's words.

Layering: pages and components call :mod:`orgmap.services` and the formatting
helpers here, never the store or the routing internals.  Nothing in this
package opens a database at import time; :mod:`orgmap.ui.state` does it on the
first page run, once per process and database URL.
"""
