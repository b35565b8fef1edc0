"""The app's pages, one file each; ``app.py`` routes to them with ``st.navigation``."""
