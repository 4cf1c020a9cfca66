// jsforce.js URL: drives dg-sandbox with jsforce, a standard Salesforce client library,
// unchanged: OAuth password login (or, with client-credentials as the second argument,
// a client-credentials token), query with parent and child relationships,
// queryMore, Collections create/update/delete, retrieve, describe, a Bulk API 2.0
// load, an error, limits. Prints one JSON object of what it saw (checked by
// tests/clients.bats); exits 1 when jsforce itself fails.
'use strict';
const jsforce = require('jsforce');

// Every record of a query, following nextRecordsUrl to the end.
function fetchAll(conn, soql) {
  return new Promise((resolve, reject) => {
    const recs = [];
    conn.query(soql).on('record', r => recs.push(r)).on('end', () => resolve(recs)).on('error', reject)
      .run({ autoFetch: true, maxFetch: 100000 });
  });
}

(async () => {
  const url = process.argv[2];
  let conn;
  if (process.argv[3] === 'client-credentials') {
    // An org that blocks the password flow (dg-sandbox --profile enterprise): the token
    // from the client-credentials grant, handed to jsforce as a session.
    const res = await fetch(url + '/services/oauth2/token', { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=jsforce&client_secret=secret' });
    const tok = await res.json();
    conn = new jsforce.Connection({ instanceUrl: tok.instance_url, accessToken: tok.access_token, version: '60.0' });
  } else {
    conn = new jsforce.Connection({
      oauth2: { loginUrl: url, clientId: 'jsforce', clientSecret: 'secret' }, version: '60.0' });
    await conn.login('admin@dg.sandbox', 'dg');
  }
  const out = { instance: conn.instanceUrl === url };
  const r = await conn.query(
    "SELECT Id, Name, Account.Name, (SELECT ContactId, Role FROM OpportunityContactRoles) " +
    "FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole) ORDER BY Name LIMIT 3");
  out.query = [r.totalSize, typeof r.records[0].Account.Name, r.records[0].OpportunityContactRoles.records.length > 0];
  const opp = r.records[0].Id;
  const created = await conn.sobject('Event').create([
    { Subject: 'jsforce 1', StartDateTime: '2026-11-20T15:00:00Z', DurationInMinutes: 30, WhatId: opp },
    { Subject: 'jsforce 2' }], { allOrNone: false });
  out.create = created.map(c => c.success ? 'ok' : (c.errors[0].errorCode || c.errors[0].statusCode));
  out.update = (await conn.sobject('Event').update({ Id: created[0].id, Subject: 'jsforce 1b' })).success;
  out.retrieve = (await conn.sobject('Event').retrieve(created[0].id)).Subject;
  out.describe = (await conn.sobject('Event').describe()).fields.some(f => f.name === 'DG_Tag__c');
  out.destroy = (await conn.sobject('Event').destroy([created[0].id]))[0].success;
  try {
    await conn.query('SELECT Nope FROM Account');
    out.error = 'none';
  } catch (e) {
    out.error = e.errorCode;
  }
  const recs = Array.from({ length: 2500 }, (_, i) => ({ Name: 'Bulk ' + i, Website: 'https://bulk' + i + '.example.com' }));
  const res = await conn.bulk2.loadAndWaitForResults({
    object: 'Account', operation: 'insert', input: recs, pollInterval: 100, pollTimeout: 60000 });
  out.bulk = [res.successfulResults.length, res.failedResults.length];
  out.queryMore = (await fetchAll(conn, "SELECT Id, Name FROM Account WHERE Name LIKE 'Bulk %'")).length;
  out.limits = (await conn.limits()).DailyApiRequests.Max;
  // what dg reads of the org's people, and an email's relation to a person in copy
  const users = await conn.query('SELECT Id, Name, Title, Email, ManagerId, Manager.Name FROM User WHERE IsActive = true ORDER BY Id');
  out.users = [users.records.filter(u => u.ManagerId).length, users.records.filter(u => u.Manager)[0].Manager.Name];
  const cs = await conn.query('SELECT Id FROM Contact ORDER BY Id LIMIT 2');
  // the org's own closed status and default priority, as TaskStatus and TaskPriority say
  const closed = (await conn.query('SELECT ApiName FROM TaskStatus WHERE IsClosed = true ORDER BY SortOrder')).records[0].ApiName;
  const prio = (await conn.query('SELECT ApiName FROM TaskPriority WHERE IsDefault = true')).records[0].ApiName;
  out.picklists = [closed, prio];
  const task = await conn.sobject('Task').create({ Subject: 'jsforce mail', Status: closed, Priority: prio,
    WhoId: cs.records[0].Id, WhatId: opp });
  const rel = await conn.sobject('TaskRelation').create({ TaskId: task.id, RelationId: cs.records[1].Id });
  const back = await conn.query("SELECT Id, (SELECT RelationId FROM TaskRelations) FROM Task WHERE Id = '" + task.id + "'");
  out.taskRelation = [rel.success, back.records[0].TaskRelations.records[0].RelationId === cs.records[1].Id];
  console.log(JSON.stringify(out));
})().catch(e => {
  console.error('jsforce failed:', e);
  process.exit(1);
});
