"""The domain core: money, the rules R1–R14, eligibility, the lifecycle. Pure Python — no Flask, no SQLAlchemy."""
