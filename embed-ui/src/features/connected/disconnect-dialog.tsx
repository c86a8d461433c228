/** Asks before disconnecting an account (`alertdialog`: Escape or Cancel keeps it). */
import { useId, useRef } from 'react'
import type { CatalogEntry, Connection } from '../../api/types'
import { Alert } from '../../components/alert'
import { Button } from '../../components/button'
import { Dialog } from '../../components/dialog'
import { describeError, useWidget } from '../../context'
import { format } from '../../messages'
import { accountName } from './connection-card'

export interface DisconnectDialogProps {
  entry: CatalogEntry
  connection: Connection
  pending: boolean
  error: unknown
  onConfirm: () => void
  onCancel: () => void
}

export function DisconnectDialog({ entry, connection, pending, error, onConfirm, onCancel }: DisconnectDialogProps) {
  const { messages: m } = useWidget()
  const id = useId()
  const cancelRef = useRef<HTMLButtonElement>(null)
  return (
    <div className="pb-overlay">
      <Dialog role="alertdialog" className="pb-modal" labelledBy={`${id}-title`} describedBy={`${id}-body`} onClose={onCancel} initialFocus={cancelRef} data-state={pending ? 'pending' : 'confirm'}>
        <h3 id={`${id}-title`} className="pb-modal-title">
          {format(m.disconnect.title, { account: accountName(entry, connection, m.connection.defaultLabel), name: entry.name })}
        </h3>
        <p id={`${id}-body`} className="pb-muted">
          {format(m.disconnect.body, { name: entry.name })}
        </p>
        {error ? <Alert tone="danger" title={format(m.disconnect.failed, { reason: describeError(error, m) })} /> : null}
        <div className="pb-actions pb-actions-end">
          <Button ref={cancelRef} variant="secondary" onClick={onCancel}>
            {m.disconnect.cancel}
          </Button>
          <Button variant="danger" pending={pending} onClick={onConfirm}>
            {pending ? m.disconnect.pending : m.disconnect.confirm}
          </Button>
        </div>
      </Dialog>
    </div>
  )
}
