fn total_len(words: &[String]) -> usize {
    words.iter().map(|w| w.len()).sum()
}

fn main() {
    let words = vec![
        String::from("ownership"),
        String::from("is"),
        String::from("neat"),
    ];
    let n = total_len(&words);
    println!("{n} letters in all");
    println!("the first word is {}", words[0]);
}
