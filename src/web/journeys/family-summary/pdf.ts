import PDFDocument from 'pdfkit';
import type { FamilySummary } from '../../../services/family-summary-service.ts';
import { categoryLabel, dateText, dateTimeText, periodText } from './format.ts';

/**
 * The printable family summary for a hub meeting (pdfkit, standard Helvetica: no font files, no
 * network). Every page carries who produced it, when and for what, in its header, and "page n of m"
 * in its footer, drawn once every page exists (buffered pages). Only what the summary shows is printed.
 */
export function summaryPdf(s: FamilySummary, treeSentences: readonly string[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 80, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    compress: false,
    info: { Title: `Family summary: ${focusName(s)}`, Author: s.viewer.name, Subject: s.profile.label, CreationDate: s.generatedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const h = (text: string) => doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).text(text).font('Helvetica').fontSize(10).moveDown(0.2);
  const line = (text: string) => doc.font('Helvetica').fontSize(10).text(text);

  doc.font('Helvetica-Bold').fontSize(18).text(`Family summary: ${focusName(s)}`);
  doc.font('Helvetica').fontSize(10).moveDown(0.3);
  line(`Purpose: ${s.profile.label}. Reason given: ${s.reason}`);
  line(`Covers ${s.window.from ? `${dateText(s.window.from)} to ${dateText(s.window.to)}` : `all records to ${dateText(s.window.to)}`}.`);
  line('Shows only what the access policy allows this viewer for this purpose. Records withheld are listed with the agency to ask.');

  h('The family');
  for (const m of s.members) {
    line(`${m.name}${m.relationToFocus ? ` (${m.relationToFocus})` : ' (the person this summary is about)'}${m.dateOfBirth ? `, ${m.dobPrecision === 'expected' ? 'expected' : 'born'} ${dateText(m.dateOfBirth)}` : ''}${m.deceased ? ', died' : ''}`);
  }
  for (const w of s.withheldMembers) line(`Withheld: ${w.reason}`);
  if (s.familyWithheld) line(`Family withheld: ${s.familyWithheld}`);
  if (treeSentences.length) {
    doc.moveDown(0.3).font('Helvetica-Oblique').text('Family tree, in words:').font('Helvetica');
    for (const t of treeSentences) line(`- ${t}`);
  }

  h('Key statuses');
  if (s.statuses.length === 0) line('None in the records you can see.');
  for (const st of s.statuses) line(`${nameOf(s, st.subjectId)}: ${st.label}, ${st.current ? `since ${dateText(st.since)}` : `${dateText(st.since)} to ${dateText(st.until ?? st.since)}`} (${st.organisationName})`);

  h('Practitioners');
  if (s.practitioners.length === 0) line('None you can see.');
  for (const pr of s.practitioners) {
    line(`${pr.memberName}: ${pr.role}, ${pr.organisationName}${pr.name ? `: ${pr.name}` : ''}${pr.team ? ` (${pr.team})` : ''}${pr.email ? `, ${pr.email}` : ''}${pr.phone ? `, ${pr.phone}` : ''}${pr.current ? '' : ` (until ${dateText(pr.endDate ?? pr.startDate)})`}`);
  }

  h('Held by other agencies: ask them');
  if (s.heldBy.length === 0) line('Nothing withheld in this period.');
  for (const hb of s.heldBy) {
    const contacts = hb.contacts.map((c) => [c.name, c.email, c.phone].filter(Boolean).join(', ')).join('; ');
    line(`${hb.memberName}: ${hb.organisationName} holds ${hb.categories.map(categoryLabel).join(', ')} records you cannot see. ${hb.reason}.${contacts ? ` Ask: ${contacts}.` : ''}`);
  }

  if (s.newcomers) {
    h(`New to the family: ${s.newcomers.people.map((n) => `${n.name} (${n.why.toLowerCase()})`).join('; ')}. The adults around them`);
    for (const a of s.newcomers.adults) {
      doc.font('Helvetica-Bold').text(a.name).font('Helvetica');
      for (const st of a.statuses) line(`${st.label} (${st.organisationName})`);
      for (const e of a.history) line(`${dateText(e.startDate)}: ${e.organisationName}, ${e.title}${e.significant ? ' (significant)' : ''}`);
      if (a.more) line(`And ${a.more} more in the chronology.`);
      for (const hb of a.heldBy) line(`More is held by ${hb.organisationName} (${hb.categories.map(categoryLabel).join(', ')}).`);
    }
  }

  h(`Chronology (${s.chronology.length} ${s.chronology.length === 1 ? 'entry' : 'entries'})`);
  for (const e of s.chronology) {
    line(`${periodText(e.startDate, e.endDate)} | ${e.memberName} | ${e.organisationName} (${categoryLabel(e.category)}) | ${e.title}${e.description ? `: ${e.description}` : ''}${e.significant ? ' | SIGNIFICANT' : ''}`);
    for (const m of e.marks) if (m.analysis) doc.font('Helvetica-Oblique').text(`   Analysis by ${m.recordedByName} (${m.organisationName}): ${m.analysis}`).font('Helvetica');
  }
  if (s.analyses.length) {
    h('Practitioners\u2019 analysis');
    for (const a of s.analyses) line(`${dateText(a.entryDate)}, ${nameOf(s, a.subjectId)}: ${a.analysis} (${a.recordedByName}, ${a.organisationName})`);
  }

  // Header and footer on every page, once all pages exist.
  const range = doc.bufferedPageRange();
  const stamp = `Produced by ${s.viewer.name} (${s.viewer.organisationName}) on ${dateTimeText(s.generatedAt)}`;
  const purpose = `Purpose: ${s.profile.label}`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { top, bottom } = doc.page.margins;
    doc.page.margins.top = 0;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica-Bold').fontSize(9).text('OFFICIAL-SENSITIVE: for the hub meeting only. Do not copy or forward.', 50, 25, { width: doc.page.width - 100, lineBreak: false });
    doc.font('Helvetica').fontSize(8).text(stamp, 50, 38, { width: doc.page.width - 100, lineBreak: false });
    doc.text(purpose, 50, 50, { width: doc.page.width - 100, lineBreak: false });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, 50, doc.page.height - 40, { width: doc.page.width - 100, align: 'right', lineBreak: false });
    doc.page.margins.top = top;
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

const nameOf = (s: FamilySummary, id: string) => s.members.find((m) => m.subjectId === id)?.name ?? '';
const focusName = (s: FamilySummary) => nameOf(s, s.focusId);
