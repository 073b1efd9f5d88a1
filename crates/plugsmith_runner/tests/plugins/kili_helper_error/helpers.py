def score(label):
    annotations = label["jsonResponse"]["OBJECT_DETECTION_JOB"]["annotations"]
    total = sum(len(a["categories"]) for a in annotations)
    return total / (len(annotations) - 1)  # line 4: ZeroDivisionError with one annotation
