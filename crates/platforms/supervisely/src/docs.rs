//! The plugin folder's documents: `README.md` (SLY006) and `LICENSE` (SLY007).
//!
//! Evidence (`research/platforms.md` 3.1, supervisely@eec5cffb): `build_plugin.sh` stores
//! `MODULE_PATH/README.md`, base64-encoded, in the image's `README` label (an empty string when
//! the file is missing) and Supervisely shows that label on the plugin page. The tutorial's
//! layout (`help/tutorials/01_create_new_plugin/how_to_create_plugin.md`) lists a `LICENSE`, but
//! nothing in the build script or the agent reads it and no stock plugin has one.

use std::path::{Path, PathBuf};

use plugsmith_core::{Diagnostic, Files, TextRange};

use crate::{SLY006, SLY007};

/// The file `build_plugin.sh` reads into the `README` label.
pub const README: &str = "README.md";

/// SLY006: `root/README.md` is missing. Points at `anchor` (the first line of
/// `plugin_info.json`); names a README under another spelling (`readme.md`, `README.rst`, ...),
/// which the script does not read.
pub fn check_readme(
    files: &Files<'_>,
    root: &Path,
    anchor: &(PathBuf, TextRange),
    out: &mut Vec<Diagnostic>,
) {
    if files.is_file(&root.join(README)) {
        return;
    }
    let mut message = "the plugin has no `README.md`: build_plugin.sh stores that file in the \
                       image's `README` label, which is left empty, so the plugin page on \
                       Supervisely shows no README"
        .to_string();
    if let Some(other) = named_like(files, root, "readme") {
        message.push_str(&format!(
            " (`{other}` is not read: the script reads `README.md`, and on Linux the case of \
             the name matters)"
        ));
    }
    out.push(Diagnostic::new(&SLY006, &anchor.0, anchor.1, message));
}

/// SLY007: the plugin folder has no licence file (`LICENSE`, `LICENCE` or `COPYING`, any case,
/// any extension). Points at `anchor`. Information only: nothing on Supervisely reads it.
pub fn check_license(
    files: &Files<'_>,
    root: &Path,
    anchor: &(PathBuf, TextRange),
    out: &mut Vec<Diagnostic>,
) {
    let found = ["license", "licence", "copying"]
        .into_iter()
        .any(|stem| named_like(files, root, stem).is_some());
    if found {
        return;
    }
    out.push(Diagnostic::new(
        &SLY007,
        &anchor.0,
        anchor.1,
        "the plugin has no `LICENSE` file: Supervisely's plugin layout lists one, but neither \
         build_plugin.sh nor the agent reads it, so nothing fails; the image ships the code \
         without stating the terms on which others may use it",
    ));
}

/// The name of a file directly in `root` whose stem (the name up to its first `.`) is `stem`,
/// ignoring case.
fn named_like(files: &Files<'_>, root: &Path, stem: &str) -> Option<String> {
    files.children(root).into_iter().find_map(|path| {
        if !files.is_file(&path) {
            return None;
        }
        let name = path.file_name()?.to_string_lossy().to_string();
        let name_stem = name.split('.').next().unwrap_or("");
        name_stem.eq_ignore_ascii_case(stem).then_some(name)
    })
}
