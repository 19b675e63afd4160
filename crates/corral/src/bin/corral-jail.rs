//! `corral-jail`: the sandbox helper alone, a small binary that corral starts for each
//! sandboxed step (cheaper to execute than the whole `corral` binary, which links the
//! server). Not meant to be run by hand.

fn main() {
    corral_sandbox::run_helper_if_requested();
    eprintln!("corral-jail is corral's sandbox helper; it is started by corral, not by hand");
    std::process::exit(2);
}
