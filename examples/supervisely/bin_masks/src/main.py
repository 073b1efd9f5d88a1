import supervisely_lib as sly


def convert():
    settings = sly.json_load(sly.TaskPaths.TASK_CONFIG_PATH)
    sly.logger.info("import settings", extra={"settings": settings})
    sly.report_import_finished()


def main():
    convert()


if __name__ == "__main__":
    sly.main_wrapper("IMPORT_BIN_MASKS", main)
