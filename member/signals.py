from django.dispatch import Signal

# Sent inside signup's transaction with `member`: a receiver that fails rolls the signup back.
# The recommender connects one that gives the member a personal model (recommender.apps).
member_signed_up = Signal()
