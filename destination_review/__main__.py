"""`python -m destination_review`: the offline review (see destination_review.review)."""

from destination_review.review import run

run()
