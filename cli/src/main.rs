//! `schemagate`: the command-line gate.

fn main() {
    eprintln!("schemagate: not built yet");
    std::process::exit(2);
}
