/*!
Messages (`messages/<id>.md`): one agent asking, answering, handing over or informing
another agent (or `all`). Read state lives on the message itself (`read_by`), so an
acknowledgement is a set addition that merges cleanly.
*/

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::id::{AgentId, IdError, TaskId};
use super::record::{self, FieldValue, Fields, Origin, RecordError};
use super::time::Timestamp;

crate::record_id!(MessageId, MessagePrefix, "m-", "message");

/// Who a message is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Recipient {
    Agent(AgentId),
    All,
}

impl Recipient {
    pub fn includes(&self, agent: &AgentId) -> bool {
        match self {
            Recipient::All => true,
            Recipient::Agent(a) => a == agent,
        }
    }
}

impl FromStr for Recipient {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Recipient, IdError> {
        if s == "all" {
            Ok(Recipient::All)
        } else {
            AgentId::parse(s).map(Recipient::Agent)
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::All => f.write_str("all"),
            Recipient::Agent(a) => write!(f, "{a}"),
        }
    }
}

impl From<Recipient> for String {
    fn from(r: Recipient) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for Recipient {
    type Error = IdError;
    fn try_from(s: String) -> Result<Recipient, IdError> {
        s.parse()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Question,
    Answer,
    Handoff,
    Fyi,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Question => "question",
            Kind::Answer => "answer",
            Kind::Handoff => "handoff",
            Kind::Fyi => "fyi",
        }
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        [Kind::Question, Kind::Answer, Kind::Handoff, Kind::Fyi]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind {s:?}: use question, answer, handoff or fyi"))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub from: AgentId,
    pub to: Recipient,
    pub subject: String,
    pub kind: Kind,
    pub task: Option<TaskId>,
    pub files: Vec<String>,
    pub needs_reply: bool,
    pub reply_to: Option<MessageId>,
    pub sent: Timestamp,
    /// Recipients who have read (acknowledged or answered) it.
    pub read_by: Vec<AgentId>,
    pub body: String,
    #[serde(skip)]
    source: Option<Origin>,
}

impl Message {
    pub fn new(
        id: MessageId,
        from: AgentId,
        to: Recipient,
        subject: String,
        kind: Kind,
        sent: Timestamp,
    ) -> Message {
        Message {
            id,
            from,
            to,
            subject,
            kind,
            task: None,
            files: Vec::new(),
            needs_reply: false,
            reply_to: None,
            sent,
            read_by: Vec::new(),
            body: String::new(),
            source: None,
        }
    }

    pub fn parse(path: &str, text: &str) -> Result<Message, RecordError> {
        let (mut m, rec) = record::parse_markdown(path, text, Message::from_fields)?;
        m.body = rec.body.clone();
        m.source = Some(Origin {
            fields: m.fields(),
            record: rec,
        });
        Ok(m)
    }

    fn from_fields(f: &Fields<'_>) -> Result<Message, RecordError> {
        let id = f.str("id")?;
        let id = MessageId::parse(&id)
            .map_err(|_| f.invalid("id", format!("{id:?} is not a message ID such as m-4kz9w2")))?;
        let from = f
            .opt_agent("from")?
            .ok_or_else(|| f.invalid("from", "the field `from` is missing"))?;
        let to = f.str("to")?;
        let to = to
            .parse::<Recipient>()
            .map_err(|e| f.invalid("to", e.to_string()))?;
        let kind = f.opt_str("kind")?.unwrap_or_else(|| "fyi".to_owned());
        let kind = kind.parse::<Kind>().map_err(|e| f.invalid("kind", e))?;
        let task = match f.opt_str("task")? {
            Some(t) => Some(TaskId::parse(&t).map_err(|e| f.invalid("task", e.to_string()))?),
            None => None,
        };
        let reply_to = match f.opt_str("reply_to")? {
            Some(r) => {
                Some(MessageId::parse(&r).map_err(|_| f.invalid("reply_to", "not a message ID"))?)
            }
            None => None,
        };
        let read_by = f
            .str_list("read_by")?
            .iter()
            .map(|a| AgentId::parse(a).map_err(|e| f.invalid("read_by", e.to_string())))
            .collect::<Result<_, _>>()?;
        Ok(Message {
            id,
            from,
            to,
            subject: f.str("subject")?,
            kind,
            task,
            files: f.str_list("files")?,
            needs_reply: f.opt_bool("needs_reply")?.unwrap_or(false),
            reply_to,
            sent: f.timestamp("sent")?,
            read_by,
            body: String::new(),
            source: None,
        })
    }

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("from", string(self.from.as_str())),
            ("to", string(&self.to.to_string())),
            ("subject", string(&self.subject)),
            ("kind", string(self.kind.as_str())),
            ("task", opt_string(self.task.as_ref().map(TaskId::as_str))),
            ("files", list(&self.files)),
            (
                "needs_reply",
                self.needs_reply.then(|| toml_edit::Value::from(true)),
            ),
            (
                "reply_to",
                opt_string(self.reply_to.as_ref().map(MessageId::as_str)),
            ),
            ("sent", timestamp(self.sent)),
            (
                "read_by",
                list(&self.read_by.iter().map(AgentId::as_str).collect::<Vec<_>>()),
            ),
        ]
    }

    pub fn to_text(&self) -> String {
        let doc = record::rewrite(self.source.as_ref(), &self.fields());
        record::render_markdown(&doc, &self.body)
    }

    pub fn is_read_by(&self, agent: &AgentId) -> bool {
        self.read_by.contains(agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let now = Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
        let mut m = Message::new(
            MessageId::random(6),
            AgentId::parse("alice").unwrap(),
            Recipient::All,
            "Pool API \"v2\"".into(),
            Kind::Question,
            now,
        );
        m.needs_reply = true;
        m.body = "Which timeout?\n".into();
        let text = m.to_text();
        let mut back = Message::parse("messages/x.md", &text).unwrap();
        assert_eq!(back.subject, m.subject);
        assert!(back.needs_reply);
        assert_eq!(back.to, Recipient::All);
        back.read_by.push(AgentId::parse("bob").unwrap());
        let again = Message::parse("m", &back.to_text()).unwrap();
        assert_eq!(again.read_by, vec![AgentId::parse("bob").unwrap()]);
        assert!("nobody/../x".parse::<Recipient>().is_err());
    }
}
