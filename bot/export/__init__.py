"""/export: the learner's missed (or all answered) questions as an Anki package and a CSV file."""
