"""The book build: assemble one source tree per language, execute the pages, render, swap in.

``pipeline`` runs the steps; ``sources`` makes a language's Jupyter Book tree from the
single-source pages in ``book/``; ``notebooks`` executes a page with papermill;
``sphinx_i18n`` is the Sphinx extension for the language switch and bokmål interface strings.
"""
