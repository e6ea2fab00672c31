//! The anonymous device id: read once, made once, kept across logouts.

use crate::core::effect::Effect;
use crate::core::input::{CallId, OpId};
use crate::core::outbox::Outbox;
use crate::core::rng::{is_uuid, Rng};

/// Where the device id stands in this run.
#[derive(Clone, Debug)]
pub(crate) enum DeviceId {
    Unread,
    Reading { op: OpId, calls: Vec<CallId> },
    Known(String),
}

impl DeviceId {
    /// A `deviceId()` call: the id if it is known, else `None` and the call waits for the
    /// read (started here if it is the first call).
    pub(crate) fn ask<T>(&mut self, call: CallId, out: &mut Outbox<T>) -> Option<String> {
        match self {
            DeviceId::Known(id) => Some(id.clone()),
            DeviceId::Reading { calls, .. } => {
                calls.push(call);
                None
            }
            DeviceId::Unread => {
                let op = out.next_op();
                *self = DeviceId::Reading {
                    op,
                    calls: vec![call],
                };
                out.push(Effect::ReadDeviceId { op });
                None
            }
        }
    }

    /// The read `op` found `found`: keeps a stored UUID, or makes and writes a new one.
    /// Returns the id and the calls waiting for it; `None` for a stale read.
    pub(crate) fn read<T>(
        &mut self,
        op: OpId,
        found: Option<String>,
        rng: &mut Rng,
        out: &mut Outbox<T>,
    ) -> Option<(String, Vec<CallId>)> {
        let calls = match self {
            DeviceId::Reading { op: reading, calls } if *reading == op => std::mem::take(calls),
            _ => return None,
        };
        let id = match found {
            Some(id) if is_uuid(&id) => id,
            _ => {
                // Written once; if storage refuses, the id still serves this run.
                let id = rng.uuid_v4();
                let op = out.next_op();
                out.push(Effect::WriteDeviceId { op, id: id.clone() });
                id
            }
        };
        *self = DeviceId::Known(id.clone());
        Some((id, calls))
    }
}
