/*!
The agents' shared memory: scratchpads (`note`, `scratchpad`) and messages (`send`, `inbox`,
`reply`, `ack`). Every write is one commit planned on the tip, so concurrent notes and
acknowledgements never lose each other.
*/

use serde::Serialize;

use super::{Actor, OpError, commit_message, fanned_out_candidates, resolve_task, touch_agent};
use crate::model::layout::{self, MESSAGES_DIR};
use crate::model::message::{Kind, Message, MessageId, MessagePrefix, Recipient};
use crate::model::scratchpad::{Entry, Scratchpad, Section};
use crate::model::time::parse_wall_duration;
use crate::model::{AgentId, RecordError, Timestamp};
use crate::store::{Edit, Plan, Snapshot, Store};

/// How long a message that needs a reply may wait (config `coord.replyWithin`, default 4 h).
pub const DEFAULT_REPLY_WITHIN_SECS: i64 = 4 * 3600;

pub fn reply_within(store: &Store) -> i64 {
    store
        .config_string("coord.replyWithin")
        .and_then(|v| parse_wall_duration(&v).ok())
        .unwrap_or(DEFAULT_REPLY_WITHIN_SECS)
}

/// An agent's scratchpad (empty when it has written none).
pub fn scratchpad(snap: &Snapshot<'_>, agent: &AgentId) -> Result<Scratchpad, OpError> {
    Ok(snap
        .read_text(&layout::scratchpad_path(agent))?
        .map(|t| Scratchpad::parse(&t))
        .unwrap_or_else(|| Scratchpad::new(agent)))
}

/// Appends a timestamped entry to the acting agent's scratchpad.
pub fn note(
    store: &Store,
    actor: &Actor,
    text: &str,
    section: Option<Section>,
) -> Result<Entry, OpError> {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return Err(OpError::Invalid(crate::model::task::InvalidField {
            field: "text",
            message: "a note needs some text".to_owned(),
        }));
    }
    let committed = store.update(&actor.author(), |snap| {
        let mut pad = scratchpad(snap, &actor.agent)?;
        let entry = Entry {
            id: format!("n-{}", &MessageId::random(6).random_part()),
            at: actor.now,
            section,
            text: text.to_owned(),
        };
        pad.push(entry.clone());
        let mut edits = vec![Edit::write(
            layout::scratchpad_path(&actor.agent),
            pad.render(),
        )];
        edits.extend(touch_agent(snap, actor)?);
        let first = text.lines().next().unwrap_or_default();
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message("note", &entry.id, Some(first), actor, &[]),
            edits,
            value: entry,
        })
    })?;
    Ok(committed.value)
}

/// What `send` is given.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: Recipient,
    pub subject: String,
    pub body: String,
    /// A task ID or prefix the message is about.
    pub task: Option<String>,
    pub files: Vec<String>,
    pub needs_reply: bool,
    pub kind: Kind,
}

fn invalid(field: &'static str, message: &str) -> OpError {
    OpError::Invalid(crate::model::task::InvalidField {
        field,
        message: message.to_owned(),
    })
}

pub(crate) fn new_message_id(snap: &Snapshot<'_>) -> Result<MessageId, OpError> {
    let mut len = 6;
    loop {
        let id = MessageId::random(len);
        if !snap.exists(&layout::message_path(&id))? {
            return Ok(id);
        }
        len += 1;
    }
}

/// Sends a message.
pub fn send(store: &Store, actor: &Actor, out: &Outgoing) -> Result<Message, OpError> {
    let subject = out.subject.trim();
    if subject.is_empty() || subject.contains('\n') {
        return Err(invalid("subject", "a message needs a one-line subject"));
    }
    let committed = store.update(&actor.author(), |snap| {
        let mut m = Message::new(
            new_message_id(snap)?,
            actor.agent.clone(),
            out.to.clone(),
            subject.to_owned(),
            out.kind,
            actor.now,
        );
        m.body = out.body.clone();
        m.files = crate::model::task::validate_entries("files", &out.files)?;
        m.needs_reply = out.needs_reply;
        m.task = out
            .task
            .as_deref()
            .map(|t| resolve_task(snap, t))
            .transpose()?;
        let mut edits = vec![Edit::write(layout::message_path(&m.id), m.to_text())];
        edits.extend(touch_agent(snap, actor)?);
        let context = format!("to {}: {}", m.to, m.subject);
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message("send", m.id.as_str(), Some(&context), actor, &[]),
            edits,
            value: m,
        })
    })?;
    Ok(committed.value)
}

/// Resolves a message ID or unique prefix.
pub fn resolve_message(snap: &Snapshot<'_>, given: &str) -> Result<MessageId, OpError> {
    let prefix = MessagePrefix::parse(given)?;
    let random = prefix.random_part();
    let names = fanned_out_candidates(snap, MESSAGES_DIR, MessageId::PREFIX, random)?;
    let mut ids: Vec<MessageId> = names
        .iter()
        .filter_map(|n| MessageId::parse(n).ok())
        .collect();
    match ids.len() {
        1 => Ok(ids.remove(0)),
        0 => Err(OpError::UnknownRecord {
            kind: "message",
            given: given.to_owned(),
        }),
        _ => Err(OpError::AmbiguousRecord {
            kind: "message",
            given: given.to_owned(),
            candidates: ids.into_iter().map(|i| i.to_string()).collect(),
        }),
    }
}

pub fn read_message(snap: &Snapshot<'_>, id: &MessageId) -> Result<Message, OpError> {
    let path = layout::message_path(id);
    let text = snap
        .read_text(&path)?
        .ok_or_else(|| OpError::UnknownRecord {
            kind: "message",
            given: id.to_string(),
        })?;
    Ok(Message::parse(&path, &text)?)
}

/// Every message, oldest first, and the records that could not be read. A message file
/// anywhere but its own path (`messages/zz/<id>.md` beside `messages/<bucket>/<id>.md`) is
/// left out with a problem naming both paths: `ack` and `reply` act on the record at the
/// layout's path, so a copy would show twice in the inbox and stay unread after `ack`.
pub fn load_messages(snap: &Snapshot<'_>) -> Result<(Vec<Message>, Vec<RecordError>), OpError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut strays = Vec::new();
    for (path, blob) in snap.walk(MESSAGES_DIR)? {
        let parsed = String::from_utf8(snap.read_blob(blob, &path)?)
            .map_err(|_| RecordError {
                path: path.clone(),
                line: None,
                message: "the file is not valid UTF-8".to_owned(),
            })
            .and_then(|t| Message::parse(&path, &t));
        match parsed {
            Ok(m) if layout::message_path(&m.id) == path => out.push(m),
            Ok(m) => strays.push((path, layout::message_path(&m.id), m.id.to_string())),
            Err(e) => problems.push(e),
        }
    }
    let kept = out.iter().map(|m| layout::message_path(&m.id)).collect();
    super::record_dir::skip_strays(&kept, strays, &mut problems);
    out.sort_by(|a, b| (a.sent, &a.id).cmp(&(b.sent, &b.id)));
    Ok((out, problems))
}

/// A message as an inbox shows it.
#[derive(Clone, Debug, Serialize)]
pub struct InboxItem {
    #[serde(flatten)]
    pub message: Message,
    pub path: String,
    pub read: bool,
    /// IDs of the replies it has.
    pub replies: Vec<MessageId>,
    /// It needs a reply, has none, and has waited longer than `coord.replyWithin`.
    pub reply_overdue: bool,
}

/// Messages addressed to `agent` (or to all), not sent by it; unread only unless `all`.
pub fn inbox(
    snap: &Snapshot<'_>,
    agent: &AgentId,
    all: bool,
    now: Timestamp,
    reply_within_secs: i64,
) -> Result<(Vec<InboxItem>, Vec<RecordError>), OpError> {
    let (messages, problems) = load_messages(snap)?;
    let items = annotate(&messages, now, reply_within_secs)
        .into_iter()
        .filter(|i| i.message.from != *agent && i.message.to.includes(agent))
        .map(|mut i| {
            i.read = i.message.is_read_by(agent);
            i
        })
        .filter(|i| all || !i.read)
        .collect();
    Ok((items, problems))
}

/// Every message with its replies and whether a reply is overdue.
pub fn annotate(messages: &[Message], now: Timestamp, reply_within_secs: i64) -> Vec<InboxItem> {
    messages
        .iter()
        .map(|m| {
            let replies: Vec<MessageId> = messages
                .iter()
                .filter(|r| r.reply_to.as_ref() == Some(&m.id))
                .map(|r| r.id.clone())
                .collect();
            InboxItem {
                path: layout::message_path(&m.id),
                read: false,
                reply_overdue: m.needs_reply
                    && replies.is_empty()
                    && now.unix() - m.sent.unix() > reply_within_secs,
                replies,
                message: m.clone(),
            }
        })
        .collect()
}

/// Marks a message read by the acting agent.
pub fn ack(store: &Store, actor: &Actor, given: &str) -> Result<(Message, bool), OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let id = resolve_message(snap, given)?;
        let mut m = read_message(snap, &id)?;
        if m.is_read_by(&actor.agent) {
            return Ok(Plan::Skip((m, false)));
        }
        m.read_by.push(actor.agent.clone());
        let mut edits = vec![Edit::write(layout::message_path(&m.id), m.to_text())];
        edits.extend(touch_agent(snap, actor)?);
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message("ack", m.id.as_str(), Some(&m.subject), actor, &[]),
            edits,
            value: (m, true),
        })
    })?;
    Ok(committed.value)
}

/// Answers a message: a new message to the other party of the thread (its sender, or its
/// recipient when answering one's own message; threaded by `reply_to`), and the original
/// marked read, in one commit.
pub fn reply(store: &Store, actor: &Actor, given: &str, text: &str) -> Result<Message, OpError> {
    if text.trim().is_empty() {
        return Err(invalid("text", "a reply needs some text"));
    }
    let committed = store.update(&actor.author(), |snap| {
        let id = resolve_message(snap, given)?;
        let mut original = read_message(snap, &id)?;
        let subject = if original.subject.starts_with("Re: ") {
            original.subject.clone()
        } else {
            format!("Re: {}", original.subject)
        };
        // The other party of the thread: answering one's own message (a follow-up) goes to
        // whom it was sent, not back to oneself.
        let to = if original.from == actor.agent {
            original.to.clone()
        } else {
            Recipient::Agent(original.from.clone())
        };
        let mut m = Message::new(
            new_message_id(snap)?,
            actor.agent.clone(),
            to,
            subject,
            Kind::Answer,
            actor.now,
        );
        m.reply_to = Some(original.id.clone());
        m.task = original.task.clone();
        m.body = format!("{}\n", text.trim_end());
        let mut edits = vec![Edit::write(layout::message_path(&m.id), m.to_text())];
        if !original.is_read_by(&actor.agent) {
            original.read_by.push(actor.agent.clone());
            edits.push(Edit::write(
                layout::message_path(&original.id),
                original.to_text(),
            ));
        }
        edits.extend(touch_agent(snap, actor)?);
        let context = format!("re {}: {}", original.id, original.subject);
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message("reply", m.id.as_str(), Some(&context), actor, &[]),
            edits,
            value: m,
        })
    })?;
    Ok(committed.value)
}
