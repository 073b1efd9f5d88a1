run_harness(lambda spec, extra: None)
