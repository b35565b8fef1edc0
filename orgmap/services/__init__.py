"""Use cases: each opens one transaction, calls the pure core and the store, and returns values.

The CLI and the Streamlit pages call these and nothing below them.  Modules are
imported by what they need, so that ``orgmap route`` never pulls in pyvis or
Streamlit.
"""
