//! Writes the JSON Schema of every event detail type to `shared/schemas/events/` (and removes
//! schemas of detail types that no longer exist): `cargo run -p cpor --example event_schemas`.
//! `tests/events.rs` fails when the committed files differ from what this writes.

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(cpor::event_schemas::DIRECTORY);
    std::fs::create_dir_all(&dir)?;
    let files = cpor::event_schemas::files();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".schema.json") && !files.contains_key(name) {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, text) in &files {
        std::fs::write(dir.join(name), text)?;
    }
    println!("wrote {} schemas to {}", files.len(), dir.display());
    Ok(())
}
