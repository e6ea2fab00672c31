//! Writing numbers and bytes as text without `core::fmt`, whose machinery would cost the
//! shipped module more than everything here.

/// Appends `n` in decimal.
pub(crate) fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

/// Appends `byte` as two hex digits, lowercase or uppercase.
pub(crate) fn push_hex(out: &mut String, byte: u8, upper: bool) {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push(char::from(digits[usize::from(byte >> 4)]));
    out.push(char::from(digits[usize::from(byte & 0x0f)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_hex() {
        let mut out = String::new();
        for n in [0, 7, 10, 65_535, u64::MAX] {
            push_number(&mut out, n);
            out.push(' ');
        }
        push_hex(&mut out, 0xa5, false);
        push_hex(&mut out, 0x0f, true);
        assert_eq!(out, "0 7 10 65535 18446744073709551615 a50F");
    }
}
