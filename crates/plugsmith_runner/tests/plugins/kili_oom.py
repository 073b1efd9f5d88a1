from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        blocks = []
        for _ in range(70):  # 70 x 10 MiB, touched
            blocks.append(bytearray(10 * 1024 * 1024))
        return len(blocks)
