"""The cooperative (SCIC): members and their shares, colleges, ballots (one person, one vote),
participatory price lists that the registrar charges once adopted, invoices, and the public
transparency page with the cooperative's figures and environmental estimate.

Layout: conf.py (settings), clock.py (injectable now), models.py, tally.py / environment.py
(pure functions), operations/ (use cases: membership, ballots, pricing, invoicing), pdf.py,
pricing.py (the hook the registrar's price check asks), views.py + urls.py + templates (thin).
"""
