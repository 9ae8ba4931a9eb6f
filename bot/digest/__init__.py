"""The weekly digest: a learner's week in review, Sunday evening their time, for those who opt in."""
