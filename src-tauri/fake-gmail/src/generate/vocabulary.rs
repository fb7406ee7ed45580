//! Word lists the generated mailbox draws from: people, domains, subjects and prose in several languages.

/// (first name, last name); some need RFC 2047 display names.
pub(crate) const PEOPLE: &[(&str, &str)] = &[
    ("Alice", "Martin"),
    ("Bruno", "Costa"),
    ("Chiara", "Rossi"),
    ("Dmitri", "Volkov"),
    ("Emeka", "Okafor"),
    ("Fatima", "Haddad"),
    ("Günter", "Schäfer"),
    ("Hiroshi", "Tanaka"),
    ("Inès", "Lefèvre"),
    ("Jonas", "Berg"),
    ("Kalani", "Kahale"),
    ("Lars", "Nyström"),
    ("Maya", "Patel"),
    ("Nadia", "Benali"),
    ("Olu", "Adeyemi"),
    ("Priya", "Raman"),
    ("Rosa", "Jiménez"),
    ("Sven", "Åberg"),
    ("Tomás", "Ó Briain"),
    ("Wen", "Li"),
    ("Yusuf", "Demir"),
    ("Zoë", "Clarke"),
];

/// Sender domains, all reserved for documentation (RFC 2606) so no real host is named.
pub(crate) const SENDER_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "shop.example",
    "bank.example",
    "travel.example",
    "school.example.org",
    "dev.example.net",
    "news.example.com",
];

pub(crate) const LINK_HOSTS: &[&str] = &[
    "www.example.com",
    "docs.example.org",
    "shop.example",
    "news.example.com",
    "tracking.example.net",
    "calendar.example.com",
    "files.example.org",
    "blog.example.net",
    "support.example.com",
    "example.test",
];

pub(crate) const PATH_WORDS: &[&str] = &[
    "orders",
    "articles",
    "invoice",
    "events",
    "share",
    "docs",
    "help",
    "account",
    "news",
    "photos",
    "release-notes",
    "meeting",
    "2024",
    "weekly",
    "view",
    "download",
    "tickets",
    "profile",
    "settings",
    "track",
];

pub(crate) const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Travel",
    "Stark Supplies",
    "Wayne Books",
    "Hooli",
    "Vandelay Imports",
];

pub(crate) const TOPICS: &[&str] = &[
    "the quarterly report",
    "project Falcon",
    "the offsite",
    "budget review",
    "the release",
    "hiring plan",
    "the garden party",
    "database migration",
    "the book club",
    "onboarding",
];

pub(crate) const PLACES: &[&str] = &[
    "Lisbon",
    "Kyoto",
    "Oslo",
    "Nairobi",
    "Montréal",
    "Valparaíso",
    "Tallinn",
    "Hobart",
];

/// Subject templates: `{topic}`, `{company}`, `{place}` and `{n}` are filled in.
pub(crate) const SUBJECTS: &[&str] = &[
    "Your order #{n} has shipped",
    "Meeting notes: {topic}",
    "Quick question about {topic}",
    "Invoice {n} from {company}",
    "Weekly digest: {topic}",
    "Welcome to {company}!",
    "Password reset request",
    "Flight confirmation {n} to {place}",
    "Photos from {place} 📷",
    "Reminder: {topic} tomorrow",
    "Can we move {topic} to Thursday?",
    "[{company}] Security alert for your account",
    "Re-scheduling {topic} — new time proposed",
    "Ideas for {topic}",
];

pub(crate) const NEWSLETTER_SUBJECTS: &[&str] = &[
    "{company} Weekly: 10 things you missed",
    "This week at {company}: {topic}",
    "Last chance: 30% off at {company}",
];

pub(crate) const WORDS: &[&str] = &[
    "the",
    "team",
    "agreed",
    "to",
    "review",
    "draft",
    "before",
    "friday",
    "and",
    "we",
    "should",
    "share",
    "notes",
    "with",
    "everyone",
    "please",
    "let",
    "me",
    "know",
    "if",
    "anything",
    "is",
    "missing",
    "schedule",
    "looks",
    "good",
    "budget",
    "numbers",
    "updated",
    "attached",
    "thanks",
    "again",
    "for",
    "help",
    "next",
    "steps",
    "include",
    "testing",
    "deploy",
    "customers",
    "feedback",
    "was",
    "positive",
    "overall",
    "a",
    "few",
    "questions",
    "remain",
    "about",
    "timeline",
    "I",
    "think",
    "it",
    "makes",
    "sense",
    "keep",
    "scope",
    "small",
    "our",
    "plan",
    "works",
    "call",
    "later",
    "today",
    "meeting",
    "moved",
    "room",
    "coffee",
    "lunch",
    "on",
    "me",
];

pub(crate) const GREETINGS: &[&str] = &["Hi", "Hello", "Dear", "Hey", "Good morning"];

pub(crate) const SIGN_OFFS: &[&str] = &[
    "Best regards",
    "Cheers",
    "Thanks",
    "Kind regards",
    "See you soon",
];

/// Latin-1 prose for ISO-8859-1 messages.
pub(crate) const LATIN1_LINES: &[&str] = &[
    "Réunion de l'équipe à 14h, salle Hélène.",
    "Grüße aus München und schöne Feiertage!",
    "Mañana vamos a la playa con los niños.",
    "Café crème et pâtisseries pour tout le monde.",
    "Smörgåsbord på fredag, välkomna!",
    "Ça coûte 12 £ ou 1500 ¥, pas plus.",
];

pub(crate) const LATIN1_SUBJECTS: &[&str] = &[
    "Réunion déplacée à jeudi",
    "Grüße aus Köln",
    "Señal de confirmación",
    "Àpropos du café",
];

/// Windows-1252 prose: curly quotes, dashes and the euro sign that Latin-1 lacks.
pub(crate) const CP1252_LINES: &[&str] = &[
    "Prices start at €49 – “limited” offer, it’s true…",
    "Don’t miss our “Spring Sale” — ends Sunday.",
    "Our team’s favourite picks • hand-made • €19.99™",
];

pub(crate) const CP1252_SUBJECTS: &[&str] =
    &["“Spring Sale” – up to €50 off", "Don’t miss out — last day"];

/// Kana prose that Shift_JIS can encode.
pub(crate) const SJIS_LINES: &[&str] = &[
    "こんにちは、メールをありがとうございます。",
    "あしたのミーティングはごごにじです。",
    "おしらせ：サーバーのメンテナンスをおこないます。",
    "よろしくおねがいします。",
];

pub(crate) const SJIS_SUBJECTS: &[&str] = &[
    "おしらせ",
    "ミーティングのごあんない",
    "ありがとうございます",
];
