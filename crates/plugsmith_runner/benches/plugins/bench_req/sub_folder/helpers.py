def describe(label):
    return "%s with %d job(s)" % (label["id"], len(label["jsonResponse"]))
