//! `corral key new`: an ed25519 key that signs bake archives (`corral bake --export
//! --key`), and its public half, which an import trusts (`--import --trust`).

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Make a new signing key: FILE (secret, mode 0600) and FILE.pub (public). Neither
    /// may exist yet.
    New {
        /// Where to write the secret key; the public key goes to FILE.pub.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(command: KeyCommand) -> anyhow::Result<u8> {
    match command {
        KeyCommand::New { out } => {
            let (key, pub_path) = corral_bundle::write_new_key_pair(&out)?;
            eprintln!(
                "corral key: secret key in {} (keep it private), public key in {}",
                out.display(),
                pub_path.display()
            );
            println!("{}", key.public().fingerprint());
            Ok(0)
        }
    }
}
