"""The leading group's business: its register and the rules documents, accountability, dissolution."""
