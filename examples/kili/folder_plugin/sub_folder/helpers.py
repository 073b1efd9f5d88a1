def score(label):
    """Number of annotations in the label's first job."""
    jobs = label.get("jsonResponse", {})
    first = next(iter(jobs.values()), {})
    return len(first.get("annotations", []))
