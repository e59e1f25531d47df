//! Full names without a cue word: a common given name followed by a surname, in the forms
//! logs, paths, branches and ids write them: `Jane Doe`, `Jane.Doe`, `jane.doe`, `jane-doe`,
//! `jane_doe`. The gate keeps such words (they read as ordinary vocabulary) and the cue-word
//! detector ([`crate::personal`]) needs a label before them; this one needs the given name
//! to be on [`GIVEN_NAMES`], a list of common given names across languages from which names
//! that are also everyday or technical words (`Will`, `Max`, `Mark`, `Grant`, `Ruby`,
//! `Robin` as in round-robin, `Morgan` the logger, `Aurora` the database, `Claude` the model…)
//! are left out, so `Max Retries` or `round_robin_selection` stay.
//!
//! Capitalized given names need a Capitalized surname (`Jane Doe`, `Jane-Doe`); lower-case
//! ones need a lower-case surname joined by `.`, `-` or `_` (`jane.doe`, not `jane doe`,
//! which prose writes for other reasons). Both words become `[redacted]`.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// Common given names, lower case, sorted (binary search).
pub(crate) const GIVEN_NAMES: &[&[u8]] = &[
    b"aaron",
    b"abdul",
    b"abigail",
    b"adam",
    b"adrian",
    b"adriana",
    b"agnes",
    b"ahmad",
    b"ahmed",
    b"aidan",
    b"aiden",
    b"aisha",
    b"akira",
    b"alan",
    b"albert",
    b"alberto",
    b"alejandro",
    b"alessandro",
    b"alex",
    b"alexander",
    b"alexandra",
    b"alexis",
    b"alfred",
    b"alfredo",
    b"alice",
    b"alicia",
    b"alina",
    b"alison",
    b"allison",
    b"alvaro",
    b"amanda",
    b"amelia",
    b"amir",
    b"amit",
    b"amy",
    b"ana",
    b"anastasia",
    b"anders",
    b"andre",
    b"andrea",
    b"andreas",
    b"andrei",
    b"andres",
    b"andrew",
    b"andy",
    b"angela",
    b"angelica",
    b"angelo",
    b"anika",
    b"anita",
    b"anna",
    b"anne",
    b"annie",
    b"anthony",
    b"antoine",
    b"anton",
    b"antonio",
    b"anya",
    b"arjun",
    b"arnav",
    b"arthur",
    b"arturo",
    b"asha",
    b"ashley",
    b"astrid",
    b"austin",
    b"axel",
    b"ayesha",
    b"barbara",
    b"beatrice",
    b"beatriz",
    b"becky",
    b"bella",
    b"ben",
    b"benjamin",
    b"bernard",
    b"bernardo",
    b"bettina",
    b"betty",
    b"bianca",
    b"bjorn",
    b"bogdan",
    b"boris",
    b"bradley",
    b"brandon",
    b"brenda",
    b"brendan",
    b"brian",
    b"brittany",
    b"bruce",
    b"bryan",
    b"caleb",
    b"cameron",
    b"camila",
    b"camille",
    b"carla",
    b"carlos",
    b"carmen",
    b"caroline",
    b"carolyn",
    b"carsten",
    b"casey",
    b"catherine",
    b"cecilia",
    b"cedric",
    b"celine",
    b"charles",
    b"charlie",
    b"charlotte",
    b"chen",
    b"chiara",
    b"chloe",
    b"chris",
    b"christian",
    b"christina",
    b"christine",
    b"christopher",
    b"claire",
    b"clara",
    b"claudia",
    b"colin",
    b"connor",
    b"constance",
    b"cristina",
    b"cynthia",
    b"daisuke",
    b"damian",
    b"daniel",
    b"daniela",
    b"daniele",
    b"danielle",
    b"dario",
    b"darius",
    b"david",
    b"deborah",
    b"deepak",
    b"denise",
    b"dennis",
    b"derek",
    b"desmond",
    b"diana",
    b"diego",
    b"dimitri",
    b"dmitry",
    b"dominic",
    b"dominik",
    b"donald",
    b"donna",
    b"dorothy",
    b"douglas",
    b"duncan",
    b"dylan",
    b"edgar",
    b"eduardo",
    b"edward",
    b"eleanor",
    b"elena",
    b"eli",
    b"elias",
    b"elijah",
    b"elisa",
    b"elizabeth",
    b"ella",
    b"ellen",
    b"ellie",
    b"emil",
    b"emilia",
    b"emily",
    b"emma",
    b"enrique",
    b"eric",
    b"erica",
    b"erik",
    b"erin",
    b"ernesto",
    b"esther",
    b"ethan",
    b"eugene",
    b"evan",
    b"evelyn",
    b"fabian",
    b"fabio",
    b"fatima",
    b"federico",
    b"felix",
    b"fernando",
    b"filip",
    b"filippo",
    b"fiona",
    b"florian",
    b"francesca",
    b"francesco",
    b"francisco",
    b"franziska",
    b"frederick",
    b"fredrik",
    b"freya",
    b"gabriel",
    b"gabriela",
    b"gabriele",
    b"gareth",
    b"gary",
    b"gaurav",
    b"georg",
    b"george",
    b"gerald",
    b"gerardo",
    b"gianluca",
    b"gina",
    b"giorgio",
    b"giovanni",
    b"giulia",
    b"giuseppe",
    b"gloria",
    b"gonzalo",
    b"gordon",
    b"gregory",
    b"greta",
    b"guillaume",
    b"gustavo",
    b"hana",
    b"hannah",
    b"hans",
    b"harold",
    b"harriet",
    b"harry",
    b"harvey",
    b"hassan",
    b"heather",
    b"hector",
    b"heidi",
    b"helen",
    b"helena",
    b"henrik",
    b"henry",
    b"hiroshi",
    b"hussein",
    b"ian",
    b"ibrahim",
    b"igor",
    b"ilya",
    b"imran",
    b"ingrid",
    b"irene",
    b"isaac",
    b"isabel",
    b"isabella",
    b"isabelle",
    b"ivan",
    b"jacob",
    b"jacqueline",
    b"jake",
    b"james",
    b"jamie",
    b"jan",
    b"jana",
    b"jane",
    b"janet",
    b"janice",
    b"jared",
    b"jason",
    b"javier",
    b"jayden",
    b"jeffrey",
    b"jenna",
    b"jennifer",
    b"jens",
    b"jeremy",
    b"jerome",
    b"jesse",
    b"jessica",
    b"jesus",
    b"jiho",
    b"jimmy",
    b"joanna",
    b"joao",
    b"joel",
    b"johan",
    b"johann",
    b"johannes",
    b"john",
    b"jon",
    b"jonas",
    b"jonathan",
    b"jordan",
    b"jorge",
    b"jose",
    b"josef",
    b"joseph",
    b"josephine",
    b"joshua",
    b"juan",
    b"judith",
    b"juliana",
    b"julie",
    b"julien",
    b"julio",
    b"justin",
    b"kaito",
    b"karen",
    b"karim",
    b"karin",
    b"karl",
    b"kasper",
    b"katarina",
    b"kate",
    b"katherine",
    b"kathleen",
    b"kathryn",
    b"katie",
    b"kavya",
    b"kayla",
    b"keith",
    b"kelly",
    b"kenji",
    b"kenneth",
    b"kevin",
    b"khalid",
    b"kim",
    b"kimberly",
    b"klaus",
    b"kristen",
    b"kristina",
    b"kumar",
    b"kyle",
    b"lara",
    b"laura",
    b"lauren",
    b"lawrence",
    b"leah",
    b"leila",
    b"lena",
    b"leo",
    b"leon",
    b"leonardo",
    b"leonie",
    b"liam",
    b"lina",
    b"linda",
    b"lisa",
    b"liu",
    b"lorenzo",
    b"louis",
    b"louise",
    b"luca",
    b"lucas",
    b"lucia",
    b"luis",
    b"luka",
    b"lukas",
    b"luke",
    b"madeline",
    b"madison",
    b"magnus",
    b"mahmoud",
    b"manuel",
    b"marc",
    b"marcel",
    b"marco",
    b"marcus",
    b"margaret",
    b"maria",
    b"mariana",
    b"marie",
    b"marina",
    b"mario",
    b"marion",
    b"marisa",
    b"marta",
    b"martin",
    b"martina",
    b"mary",
    b"mateo",
    b"mathias",
    b"matteo",
    b"matthew",
    b"matthias",
    b"maximilian",
    b"megan",
    b"mehmet",
    b"melanie",
    b"melissa",
    b"mia",
    b"michael",
    b"michaela",
    b"michel",
    b"michelle",
    b"miguel",
    b"mikhail",
    b"mila",
    b"milan",
    b"miriam",
    b"mohamed",
    b"mohammad",
    b"mohammed",
    b"monica",
    b"moritz",
    b"muhammad",
    b"nadia",
    b"naomi",
    b"natalia",
    b"natalie",
    b"nathan",
    b"nathaniel",
    b"neha",
    b"nicholas",
    b"nicolas",
    b"nicole",
    b"nikita",
    b"niklas",
    b"nikolai",
    b"nils",
    b"nina",
    b"noah",
    b"noel",
    b"nora",
    b"oliver",
    b"olivia",
    b"omar",
    b"oscar",
    b"owen",
    b"pablo",
    b"pamela",
    b"paola",
    b"patricia",
    b"patrick",
    b"paul",
    b"paula",
    b"paulo",
    b"pavel",
    b"pedro",
    b"peter",
    b"philip",
    b"philipp",
    b"pierre",
    b"pietro",
    b"piotr",
    b"pooja",
    b"priya",
    b"rachel",
    b"rafael",
    b"rahul",
    b"raj",
    b"rajesh",
    b"ralph",
    b"ramon",
    b"randy",
    b"raphael",
    b"raul",
    b"rebecca",
    b"regina",
    b"renata",
    b"rene",
    b"ricardo",
    b"richard",
    b"riley",
    b"rita",
    b"robert",
    b"roberta",
    b"roberto",
    b"roger",
    b"ronald",
    b"rosa",
    b"ruth",
    b"ryan",
    b"sabrina",
    b"sadie",
    b"samantha",
    b"samuel",
    b"sandra",
    b"sanjay",
    b"sara",
    b"sarah",
    b"sasha",
    b"satoshi",
    b"scott",
    b"sean",
    b"sebastian",
    b"sergei",
    b"sergio",
    b"shane",
    b"sharon",
    b"sheila",
    b"shirley",
    b"simon",
    b"simone",
    b"sofia",
    b"sonia",
    b"sophia",
    b"sophie",
    b"stefan",
    b"stefano",
    b"stephanie",
    b"stephen",
    b"steve",
    b"steven",
    b"susan",
    b"sven",
    b"svetlana",
    b"sylvia",
    b"takashi",
    b"tamara",
    b"tanya",
    b"tatiana",
    b"teresa",
    b"thea",
    b"theodore",
    b"theresa",
    b"thomas",
    b"tiffany",
    b"tim",
    b"timothy",
    b"tobias",
    b"tomas",
    b"tommaso",
    b"tyler",
    b"ulrich",
    b"valentina",
    b"valeria",
    b"vanessa",
    b"vera",
    b"veronica",
    b"victor",
    b"victoria",
    b"vikram",
    b"vincent",
    b"virginia",
    b"vivek",
    b"vladimir",
    b"walter",
    b"wei",
    b"wendy",
    b"william",
    b"wolfgang",
    b"xavier",
    b"yasmin",
    b"yuki",
    b"yuri",
    b"yusuf",
    b"zachary",
    b"zara",
    b"zoe",
];

/// The longest given name on the list (a longer word is not looked up).
const MAX_GIVEN: usize = 12;

use crate::bytes::letters_end;

#[derive(Clone, Copy, PartialEq)]
enum Case {
    /// `Jane`.
    Capitalized,
    /// `jane`.
    Lower,
    /// Anything else (`JANE`, `JaNe`).
    Other,
}

fn case_of(w: &[u8]) -> Case {
    match w.split_first() {
        Some((f, rest)) if rest.iter().all(u8::is_ascii_lowercase) => {
            if f.is_ascii_uppercase() {
                Case::Capitalized
            } else if f.is_ascii_lowercase() {
                Case::Lower
            } else {
                Case::Other
            }
        }
        _ => Case::Other,
    }
}

/// A word of ASCII letters as a number, 5 bits a letter, case ignored (12 letters fit).
const fn pack(w: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < w.len() {
        v = (v << 5) | ((w[i] | 0x20) - b'a' + 1) as u64;
        i += 1;
    }
    v
}

/// The index of a word's first three letters, case ignored.
const fn triple(w: &[u8]) -> usize {
    letter(w[0]) * 676 + letter(w[1]) * 26 + letter(w[2])
}

/// A letter's place in the alphabet (0 for `a`/`A`).
const fn letter(c: u8) -> usize {
    ((c | 0x20) - b'a') as usize
}

/// Which three-letter beginnings [`GIVEN_NAMES`] has: a bit per triple (a cheap test that
/// turns away almost every other word).
const TRIPLES: [u64; 275] = {
    let mut t = [0u64; 275];
    let mut i = 0;
    while i < GIVEN_NAMES.len() {
        let x = triple(GIVEN_NAMES[i]);
        t[x / 64] |= 1 << (x % 64);
        i += 1;
    }
    t
};

/// [`GIVEN_NAMES`] packed ([`pack`]) and sorted, for a binary search of integers.
const PACKED: [u64; GIVEN_NAMES.len()] = {
    let mut a = [0u64; GIVEN_NAMES.len()];
    let mut i = 0;
    while i < a.len() {
        let v = pack(GIVEN_NAMES[i]);
        let mut j = i;
        while j > 0 && a[j - 1] > v {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = v;
        i += 1;
    }
    a
};

/// Whether the ASCII letters `w` are a given name on the list.
fn is_given(w: &[u8]) -> bool {
    if !(3..=MAX_GIVEN).contains(&w.len()) {
        return false;
    }
    let x = triple(w);
    TRIPLES[x / 64] & (1 << (x % 64)) != 0 && PACKED.binary_search(&pack(w)).is_ok()
}

/// Whether `w` (ASCII letters) may be a given name: its first three letters begin one.
fn maybe_given(w: &[u8]) -> bool {
    if w.len() < 3 {
        return false;
    }
    let x = triple(w);
    TRIPLES[x / 64] & (1 << (x % 64)) != 0
}

/// The letters `[s, e)` start a word: a given name and its surname → `[redacted]` (see the
/// module docs). The end of the surname, to go on from.
#[inline]
pub(crate) fn at_word(dec: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let (&sep, &next) = (dec.get(e)?, dec.get(e + 1)?);
    if !(3..=MAX_GIVEN).contains(&(e - s))
        || !matches!(sep, b' ' | b'.' | b'-' | b'_')
        || !next.is_ascii_alphabetic()
        || !maybe_given(&dec[s..e])
    {
        return None;
    }
    let given = &dec[s..e];
    let capitalized = case_of(given) == Case::Capitalized;
    let mut ss = e + 1;
    // A middle initial (`Jane Q. Public`, `John F. Kennedy`): the surname comes after it.
    if capitalized
        && sep == b' '
        && dec[ss].is_ascii_uppercase()
        && dec.get(ss + 1) == Some(&b'.')
        && dec.get(ss + 2) == Some(&b' ')
        && dec.get(ss + 3).is_some_and(u8::is_ascii_uppercase)
    {
        ss += 3;
    }
    let mut se = letters_end(dec, ss);
    let surname = &dec[ss..se];
    let fits = match (case_of(given), case_of(surname)) {
        (Case::Capitalized, Case::Capitalized) => true,
        (Case::Lower, Case::Lower) => sep != b' ',
        _ => false,
    };
    if !(fits && ends_word(dec, se) && (2..=20).contains(&surname.len()) && is_given(given)) {
        return None;
    }
    // More Capitalized names after it (`John Michael Smith`, `Mary-Jane Smith`), at most two.
    if capitalized {
        for _ in 0..2 {
            if !matches!(dec.get(se), Some(b' ' | b'-')) {
                break;
            }
            let ne = letters_end(dec, se + 1);
            let next = &dec[se + 1..ne];
            if case_of(next) != Case::Capitalized
                || !(2..=20).contains(&next.len())
                || !ends_word(dec, ne)
                || crate::personal::not_a_name(next)
            {
                break;
            }
            se = ne;
        }
    }
    spans.push(Span::new(s, se, Rule::FullName, Repl::Redacted));
    Some(se)
}

/// Whether a word ends at `e` (`Jane Doe2` and `jane.doe@…` are not names of their own).
fn ends_word(dec: &[u8], e: usize) -> bool {
    dec.get(e)
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_table_answers_as_the_list() {
        for n in GIVEN_NAMES {
            assert!(is_given(n), "{}", String::from_utf8_lossy(n));
            let upper: Vec<u8> = n.iter().map(u8::to_ascii_uppercase).collect();
            assert!(is_given(&upper));
        }
        for w in ["jan", "janee", "xyz", "aaron", "aaro", "zzzzzzzzzzzz", "ab"] {
            let listed = GIVEN_NAMES.contains(&w.as_bytes());
            assert_eq!(is_given(w.as_bytes()), listed, "{w}");
        }
        assert_eq!(
            PACKED.windows(2).filter(|p| p[0] >= p[1]).count(),
            0,
            "sorted and distinct"
        );
    }

    #[test]
    fn the_list_is_sorted_lower_case_and_short() {
        assert!(GIVEN_NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(GIVEN_NAMES
            .iter()
            .all(|n| n.len() <= MAX_GIVEN && n.iter().all(u8::is_ascii_lowercase)));
        for word in [
            "will", "max", "mark", "grant", "ruby", "robin", "morgan", "aurora", "claude", "may",
            "june", "bill", "rose", "ann", "ali",
        ] {
            assert!(!is_given(word.as_bytes()), "{word} is an everyday word");
        }
    }
}
