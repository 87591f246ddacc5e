"""Who uses the fund: users and their passwords, sessions and API tokens, vetted sign-up, enterprises, one-time form
tokens."""
