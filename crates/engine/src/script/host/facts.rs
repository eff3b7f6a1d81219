//! What host functions derive from a text (its words, content words,
//! numbers, sentences, language), computed once per text and record.
//!
//! Why: the shipped rules ask about the same few texts of a record many
//! times: `record.answer` is split into words by the relevance, grounding,
//! repetition and length rules, and its language is told by two of them.
//! Each derivation is made on first use and kept while the record is
//! evaluated, so every rule and every helper call on that record shares it.
//!
//! The cache is per thread (a record is evaluated on one thread) and is
//! emptied when the next record's view is built ([`forget`]), which bounds
//! how long texts are kept. Entries are found by their text, not by who
//! asked, so correctness never depends on when the cache is emptied: the
//! record view hands out the same shared string for every read of a field,
//! which makes the usual lookup a pointer comparison.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use foldhash::HashSet;
use rhai::ImmutableString;

use super::{content_of, language, split_sentences, split_words, ContentWord};

/// Texts kept per record; a script that makes more (one per loop turn)
/// starts the cache over rather than growing it.
const MAX_TEXTS: usize = 64;

thread_local! {
    static FACTS: RefCell<Vec<Rc<Facts>>> = const { RefCell::new(Vec::new()) };
}

/// The derived facts of one text, each computed on first use.
pub(crate) struct Facts {
    text: ImmutableString,
    words: OnceCell<Vec<String>>,
    content: OnceCell<Content>,
    numbers: OnceCell<HashSet<String>>,
    sentences: OnceCell<Vec<ImmutableString>>,
    language: OnceCell<Option<&'static str>>,
    cjk_share: OnceCell<f64>,
    folded: OnceCell<ImmutableString>,
}

/// The distinct content words of a text, in order, and the set of their keys.
pub(crate) struct Content {
    pub words: Vec<ContentWord>,
    pub keys: HashSet<String>,
}

impl Facts {
    fn new(text: ImmutableString) -> Facts {
        Facts {
            text,
            words: OnceCell::new(),
            content: OnceCell::new(),
            numbers: OnceCell::new(),
            sentences: OnceCell::new(),
            language: OnceCell::new(),
            cjk_share: OnceCell::new(),
            folded: OnceCell::new(),
        }
    }

    /// Lowercased words (see `split_words`).
    pub fn words(&self) -> &[String] {
        self.words.get_or_init(|| split_words(&self.text))
    }

    pub fn content(&self) -> &Content {
        self.content.get_or_init(|| {
            let (words, keys) = content_of(self.words());
            Content { words, keys }
        })
    }

    /// The words that are numbers (runs of ASCII digits).
    pub fn numbers(&self) -> &HashSet<String> {
        self.numbers
            .get_or_init(|| self.words().iter().filter(|w| is_number(w)).cloned().collect())
    }

    pub fn sentences(&self) -> &[ImmutableString] {
        self.sentences.get_or_init(|| {
            split_sentences(&self.text)
                .into_iter()
                .map(ImmutableString::from)
                .collect()
        })
    }

    pub fn language(&self) -> Option<&'static str> {
        *self.language.get_or_init(|| language::language_of(&self.text))
    }

    pub fn cjk_share(&self) -> f64 {
        *self.cjk_share.get_or_init(|| super::cjk_share(&self.text))
    }

    /// The text as keyword sets match it (see `fold_text`); the same shared
    /// string on every call, so what is derived from it is cached too.
    pub fn folded(&self) -> ImmutableString {
        self.folded.get_or_init(|| super::fold(&self.text)).clone()
    }
}

/// A word made of ASCII digits only.
pub(crate) fn is_number(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

/// The facts of `text`, from this record's cache when it was asked about.
pub(crate) fn of(text: &ImmutableString) -> Rc<Facts> {
    FACTS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let same = |f: &&Rc<Facts>| f.text.ptr_eq(text);
        let equal = |f: &&Rc<Facts>| f.text.len() == text.len() && f.text.as_str() == text.as_str();
        if let Some(found) = cache.iter().find(same).or_else(|| cache.iter().find(equal)) {
            return Rc::clone(found);
        }
        if cache.len() >= MAX_TEXTS {
            cache.clear();
        }
        let facts = Rc::new(Facts::new(text.clone()));
        cache.push(Rc::clone(&facts));
        facts
    })
}

/// Empties this thread's cache: a new record is about to be evaluated.
pub(crate) fn forget() {
    FACTS.with(|cache| cache.borrow_mut().clear());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_analysed_once_and_found_by_content_too() {
        forget();
        let a = ImmutableString::from("Refunds take 5 days. Really.");
        let first = of(&a);
        assert_eq!(first.words().len(), 5);
        let same_text = ImmutableString::from("Refunds take 5 days. Really.");
        assert!(Rc::ptr_eq(&first, &of(&same_text)));
        assert!(Rc::ptr_eq(&first, &of(&a.clone())));
        assert_eq!(first.sentences().len(), 2);
        assert!(first.numbers().contains("5"));
        assert!(first.content().keys.contains("refund"));
        forget();
        assert!(!Rc::ptr_eq(&first, &of(&a)), "a new record starts empty");
    }

    #[test]
    fn the_cache_stays_bounded() {
        forget();
        for i in 0..(3 * MAX_TEXTS) {
            of(&ImmutableString::from(format!("text {i}")));
        }
        let kept = FACTS.with(|c| c.borrow().len());
        assert!(kept <= MAX_TEXTS, "{kept}");
        forget();
    }
}
