// Run by the mongo-init Job: `mongosh --nodb --file init.js`. Safe to run again.
//  1. waits until every member of the StatefulSet answers;
//  2. initiates the replica set once, and adds members when the StatefulSet grew;
//  3. creates (or updates) one user per service, with rights on its own database
//     only, so a service cannot read another's data (DESIGN.md §2).
// Input: MONGO_MEMBERS, MONGO_REPLICA_SET, MONGO_USERS ("user=db,…") and the
// files /secrets/mongo-root-password and /secrets/mongo-password-<user>.
const fs = require('fs');
const env = process.env;
const secret = (name) => fs.readFileSync(`/secrets/${name}`, 'utf8').trim();

const setName = env.MONGO_REPLICA_SET;
const hosts = Array.from({ length: parseInt(env.MONGO_MEMBERS, 10) }, (_, i) => `mongo-${i}.mongo:27017`);
const root = `root:${encodeURIComponent(secret('mongo-root-password'))}`;

function admin(uri) {
  for (let attempt = 1; ; attempt++) {
    try {
      const db = new Mongo(uri).getDB('admin');
      db.adminCommand({ ping: 1 });
      return db;
    } catch (e) {
      if (attempt >= 150) throw e; // five minutes
      print(`waiting for ${uri.replace(/\/\/[^@]*@/, '//')}: ${e.message}`);
      sleep(2000);
    }
  }
}

const options = 'authSource=admin&serverSelectionTimeoutMS=5000';
const member = (host) => admin(`mongodb://${root}@${host}/admin?directConnection=true&${options}`);

function initiated(db) {
  try {
    db.adminCommand({ replSetGetStatus: 1 });
    return true;
  } catch (e) {
    if (e.codeName === 'NotYetInitialized') return false;
    throw e;
  }
}

hosts.forEach(member);
if (!initiated(member(hosts[0]))) {
  print(`initiating ${setName} with ${hosts.join(', ')}`);
  member(hosts[0]).adminCommand({
    replSetInitiate: { _id: setName, members: hosts.map((host, i) => ({ _id: i, host })) },
  });
}

// The replica-set connection finds the primary, once one is elected.
const primary = admin(`mongodb://${root}@${hosts.join(',')}/admin?replicaSet=${setName}&${options}`);
for (let attempt = 1; ; attempt++) {
  try {
    if (primary.hello().isWritablePrimary) break;
  } catch (e) {
    print(`waiting for a primary: ${e.message}`);
  }
  if (attempt >= 150) throw new Error('no primary after five minutes');
  sleep(2000);
}

// One member at a time: a reconfiguration may add a single voting member.
const known = new Set(primary.adminCommand({ replSetGetConfig: 1 }).config.members.map((m) => m.host));
for (const host of hosts.filter((h) => !known.has(h))) {
  print(`adding ${host}`);
  const config = primary.adminCommand({ replSetGetConfig: 1 }).config;
  const nextId = Math.max(...config.members.map((m) => m._id)) + 1;
  config.members.push({ _id: nextId, host });
  config.version += 1;
  delete config.term; // the server keeps the term itself
  primary.adminCommand({ replSetReconfig: config });
}
if (known.size > hosts.length) print(`warning: the set has ${known.size} members, the StatefulSet ${hosts.length}; remove members by hand`);

for (const pair of env.MONGO_USERS.split(',')) {
  const [user, database] = pair.split('=');
  const pwd = secret(`mongo-password-${user}`);
  // dbAdmin: the service creates its indexes and may drop its own collections to rebuild them.
  const roles = [{ role: 'readWrite', db: database }, { role: 'dbAdmin', db: database }];
  if (primary.getUser(user)) primary.updateUser(user, { pwd, roles });
  else primary.createUser({ user, pwd, roles });
  print(`user ${user}: ${database}`);
}
print('mongo-init done');
