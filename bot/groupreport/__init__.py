"""/groupreport: a group's week for its admins, on request or every Monday by private message."""
