//! Assembly clean-up: the playground's `processAssembly: filter` and
//! `demangleAssembly: demangle`.

enum AsmLine<'a> {
    Keep,
    Label(&'a str),
    Data(&'a str),
    Drop,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$')
}

/// Identifiers after the first word of a line (the mnemonic or directive).
fn operands(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !is_ident_char(c))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.'))
        .skip(1)
}

const DATA_DIRECTIVES: [&str; 14] = [
    ".string", ".asciz", ".ascii", ".byte", ".2byte", ".4byte", ".8byte", ".short", ".word",
    ".long", ".quad", ".value", ".zero", ".octa",
];

/// Drops directives, comments, blank lines and the labels (with their data) that no
/// instruction uses, directly or through other data.
pub fn filter_asm(asm: &str) -> String {
    use std::collections::{HashMap, HashSet};
    let mut kinds = Vec::new();
    let mut labels: HashSet<&str> = HashSet::new();
    let mut used: HashSet<&str> = HashSet::new();
    let mut data_refs: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut current = "";
    for line in asm.lines() {
        let t = line.trim();
        let kind = if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            AsmLine::Drop
        } else if let Some(label) = t.strip_suffix(':')
            && !label.contains(char::is_whitespace)
        {
            labels.insert(label);
            current = label;
            AsmLine::Label(label)
        } else if t.starts_with('.') {
            let word = t.split(char::is_whitespace).next().unwrap_or("");
            if DATA_DIRECTIVES.contains(&word) && !current.is_empty() {
                data_refs.entry(current).or_default().extend(operands(t));
                AsmLine::Data(current)
            } else {
                if word == ".type"
                    && let Some(name) = t[5..].trim().strip_suffix(",@function")
                {
                    used.insert(name.trim());
                }
                AsmLine::Drop
            }
        } else {
            used.extend(operands(t));
            AsmLine::Keep
        };
        kinds.push(kind);
    }
    // Labels used by code, then whatever their data points at.
    let mut todo: Vec<&str> = used
        .iter()
        .copied()
        .filter(|l| labels.contains(l))
        .collect();
    let mut keep: HashSet<&str> = HashSet::new();
    while let Some(l) = todo.pop() {
        if keep.insert(l) {
            todo.extend(data_refs.get(l).into_iter().flatten().copied());
        }
    }
    let mut out = String::new();
    for (line, kind) in asm.lines().zip(kinds) {
        match kind {
            AsmLine::Keep => {}
            AsmLine::Data(l) if keep.contains(l) => {}
            AsmLine::Label(l) if keep.contains(l) => out.push('\n'),
            _ => continue,
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Demangles the Rust symbols (legacy `_ZN…E` and v0 `_R…`, with rustc-demangle)
/// that stand as whole words in `asm`; everything else stays as it is. Hashes are left
/// out, as `{:#}` prints them.
pub fn demangle_asm(asm: &str) -> String {
    let mut out = String::with_capacity(asm.len());
    let mut rest = asm;
    while let Some(start) = rest.find(|c: char| is_ident_char(c)) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let len = word.find(|c: char| !is_ident_char(c)).unwrap_or(word.len());
        let (symbol, after) = word.split_at(len);
        match rustc_demangle::try_demangle(symbol) {
            Ok(d) if symbol.starts_with("_ZN") || symbol.starts_with("_R") => {
                out.push_str(&format!("{d:#}"))
            }
            _ => out.push_str(symbol),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembly_is_filtered_and_demangled() {
        let asm = "\t.section\t.text._ZN1m3add17h465eb130f9b17eb7E,\"ax\",@progbits\n\
            \t.type\t_ZN1m3add17h465eb130f9b17eb7E,@function\n\
            _ZN1m3add17h465eb130f9b17eb7E:\n\
            \t.cfi_startproc\n\
            \tleaq\t.Lanon.1(%rip), %rdi\n\
            \tretq\n\
            .Lfunc_end0:\n\
            \t.size\t_ZN1m3add17h465eb130f9b17eb7E, .Lfunc_end0-_ZN1m3add17h465eb130f9b17eb7E\n\
            # comment\n\
            .Lanon.1:\n\
            \t.quad\t.Lanon.2\n\
            .Lanon.2:\n\
            \t.asciz\t\"hi\"\n\
            .Lunused:\n\
            \t.asciz\t\"no\"\n";
        let filtered = filter_asm(asm);
        assert_eq!(
            filtered,
            "\n_ZN1m3add17h465eb130f9b17eb7E:\n\tleaq\t.Lanon.1(%rip), %rdi\n\tretq\n\
             \n.Lanon.1:\n\t.quad\t.Lanon.2\n\n.Lanon.2:\n\t.asciz\t\"hi\"\n"
        );
        assert!(demangle_asm(&filtered).starts_with("\nm::add:\n"));
        assert_eq!(
            demangle_asm(
                "callq _ZN54_$LT$$LP$$RP$$u20$as$u20$std..process..Termination$GT$6report17h2585065ca48fe458E"
            ),
            "callq <() as std::process::Termination>::report"
        );
        // v0 symbols too.
        assert_eq!(
            demangle_asm("call _RNvCs1234_7mycrate3foo@PLT"),
            "call mycrate::foo@PLT"
        );
        assert_eq!(demangle_asm("x_ZN1a1bE _ZN1a é"), "x_ZN1a1bE _ZN1a é");
    }
}
