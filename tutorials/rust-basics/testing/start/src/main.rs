fn is_leap_year(year: u32) -> bool {
    year % 4 == 0
}

#[cfg(test)]
mod tests {
    use super::is_leap_year;

    #[test]
    fn every_fourth_year() {
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(2023));
    }

    #[test]
    fn not_centuries() {
        assert!(!is_leap_year(1900), "1900 was not a leap year");
        assert!(!is_leap_year(2100), "2100 will not be a leap year");
    }

    #[test]
    fn but_every_fourth_century() {
        assert!(is_leap_year(2000), "2000 was a leap year");
    }
}
