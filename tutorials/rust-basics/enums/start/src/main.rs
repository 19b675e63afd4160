enum Command {
    Quit,
    Say(String),
    Move { x: i32, y: i32 },
}

fn describe(command: &Command) -> String {
    match command {
        Command::Quit => "quit".to_string(),
        Command::Say(text) => format!("say {text:?}"),
        Command::Move { .. } => todo!("describe the move with its x and y"),
    }
}

fn main() {
    let commands = [
        Command::Say("hello".to_string()),
        Command::Move { x: 3, y: -1 },
        Command::Quit,
    ];
    for command in &commands {
        println!("{}", describe(command));
    }
}
