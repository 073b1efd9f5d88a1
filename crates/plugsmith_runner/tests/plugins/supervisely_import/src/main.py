import json
import os
import sys

TASK_DIR = os.environ.get("SLY_TASK_DATA", "/sly_task_data")


def log(message, level="info", **extra):
    print(json.dumps(dict(message=message, level=level, **extra)))


def main():
    with open(os.path.join(TASK_DIR, "task_config.json")) as f:
        config = json.load(f)
    log("import started", project=config["res_names"]["project"])
    print("plain line from the plugin")
    out = os.path.join(TASK_DIR, "results", config["res_names"]["project"])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"classes": []}, f)
    log("IMPORT_APPLIED", event_type="import_applied")


if __name__ == "__main__":
    main()
    sys.exit(0)
