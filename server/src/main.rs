//! `schemagate-server`: starts the registry.

fn main() {
    eprintln!("schemagate-server: not built yet");
    std::process::exit(2);
}
