// The three-state client (tests/Shared/OtClient.cs) against a simulated server that follows docs/protocol.md 4.1:
// dedupe by client op id, transform the incoming op against everything committed since its base (committed op
// first), append, broadcast. Delivery order between clients is random, and connections drop: frames in flight are
// lost, the server replays what the client lacks, and the client resends its outstanding op with the same id.
using FsCheck;
using FsCheck.Fluent;
using KefuSync.Ot;
using KefuSync.Tests.Shared;

namespace KefuSync.Tests.Ot;

public sealed class OtClientSimulationTests
{
    [Fact]
    public void Replicas_Converge_AndEveryOpIsCommittedExactlyOnce()
    {
        var arb = (from seed in Gen.Choose(0, int.MaxValue)
                   from clients in Gen.Choose(2, 6)
                   from steps in Gen.Choose(20, 200)
                   select (Seed: seed, Clients: clients, Steps: steps)).ToArbitrary();

        Prop.ForAll(arb, run => Simulate(run.Seed, run.Clients, run.Steps))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void ApplyServer_PutsTheCommittedInsertFirst_AtATie()
    {
        var client = new OtClient(0, "tab");
        Assert.True(client.ApplyClient(TextOperation.Parse("[1,\"L\",1]"))); // local "ab" -> "aLb"

        var toApply = client.ApplyServer(TextOperation.Parse("[1,\"S\",1]")); // server "ab" -> "aSb"

        Assert.Equal("aSLb", toApply.Apply("aLb"));
        Assert.Equal(TextOperation.Parse("[2,\"L\",1]"), client.Outstanding!.Operation);
        Assert.Equal(1, client.Outstanding.BaseRevision);
        Assert.Equal("tab-1", client.Outstanding.Id);
    }

    [Fact]
    public void ApplyClient_BuffersBehindTheOpInFlight_AndServerAckSendsTheBufferWithANewId()
    {
        var client = new OtClient(4, "tab");
        Assert.True(client.ApplyClient(TextOperation.Parse("[\"a\"]")));
        Assert.False(client.ApplyClient(TextOperation.Parse("[1,\"b\"]")));
        Assert.False(client.ApplyClient(TextOperation.Parse("[2,\"c\"]")));
        Assert.Equal(OtClient.ClientState.AwaitingWithBuffer, client.State);

        var next = client.ServerAck();

        Assert.NotNull(next);
        Assert.Equal("tab-2", next.Id);
        Assert.Equal(5, next.BaseRevision);
        Assert.Equal(TextOperation.Parse("[1,\"bc\"]"), next.Operation);
        Assert.Null(client.ServerAck());
        Assert.Equal(OtClient.ClientState.Synchronized, client.State);
        Assert.Equal(6, client.Revision);
        Assert.Throws<InvalidOperationException>(() => client.ServerAck());
    }

    [Fact]
    public void TransformRemoteIndex_MovesPastPendingEdits()
    {
        var client = new OtClient(0, "tab");
        client.ApplyClient(TextOperation.Parse("[\"ab\",3]"));
        client.ApplyClient(TextOperation.Parse("[5,\"!\"]"));

        Assert.Equal(3, client.TransformRemoteIndex(1));
        Assert.Equal(6, client.TransformRemoteIndex(3));
    }

    private static bool Simulate(int seed, int clientCount, int steps)
    {
        var rng = new Random(seed);
        var initial = string.Concat(Enumerable.Range(0, rng.Next(6)).Select(_ => new[] { "a", "你", "😀" }[rng.Next(3)]));
        var server = new Server(initial);
        var replicas = Enumerable.Range(0, clientCount).Select(i => new Replica($"c{i}", initial)).ToArray();

        bool Step(bool allowEdits)
        {
            var r = replicas[rng.Next(replicas.Length)];
            var roll = rng.NextDouble();
            if (allowEdits && roll < 0.3)
            {
                r.Edit(rng);
            }
            else if (roll < 0.6 && r.Outbox.Count > 0)
            {
                var committed = server.Submit(r.Outbox.Dequeue());
                if (committed is not null)
                {
                    foreach (var each in replicas)
                    {
                        each.Inbox.Enqueue(committed);
                    }
                }
            }
            else if (r.Inbox.Count > 0)
            {
                r.Receive();
            }
            else if (allowEdits && roll > 0.97)
            {
                r.Reconnect(server.Log);
            }
            else
            {
                return false;
            }

            return true;
        }

        for (var i = 0; i < steps; i++)
        {
            Step(allowEdits: true);
        }

        for (var idle = 0; idle < 1000;)
        {
            idle = Step(allowEdits: false) ? 0 : idle + 1;
        }

        foreach (var r in replicas)
        {
            Assert.Empty(r.Inbox);
            Assert.Empty(r.Outbox);
            Assert.Equal(OtClient.ClientState.Synchronized, r.Client.State);
            Assert.Equal(server.Log.Count, r.Client.Revision);
            Assert.Equal(server.Document, r.Document);
            Assert.All(r.Minted, id => Assert.True(server.Ids.ContainsKey(id), $"{id} was never committed"));
        }

        // Each minted op is committed exactly once: the server dedupes resends by id.
        Assert.Equal(replicas.Sum(r => r.Minted.Count), server.Log.Count);
        return true;
    }

    private sealed record Committed(long Revision, string Id, TextOperation Operation);

    private sealed class Server(string document)
    {
        public string Document { get; private set; } = document;

        public List<Committed> Log { get; } = [];

        public Dictionary<string, long> Ids { get; } = new(StringComparer.Ordinal);

        /// <summary>Returns the committed op to broadcast, or null for a duplicate.</summary>
        public Committed? Submit(OtClient.Submit submit)
        {
            if (Ids.ContainsKey(submit.Id))
            {
                return null;
            }

            Assert.InRange(submit.BaseRevision, 0, Log.Count);
            var op = submit.Operation;
            for (var i = (int)submit.BaseRevision; i < Log.Count; i++)
            {
                op = TextOperation.Transform(Log[i].Operation, op).BPrime; // the committed op wins ties
            }

            Document = op.Apply(Document);
            var committed = new Committed(Log.Count + 1, submit.Id, op);
            Log.Add(committed);
            Ids[submit.Id] = committed.Revision;
            return committed;
        }
    }

    private sealed class Replica(string name, string document)
    {
        public OtClient Client { get; } = new(0, name);

        public string Document { get; private set; } = document;

        public Queue<Committed> Inbox { get; private set; } = new();

        public Queue<OtClient.Submit> Outbox { get; private set; } = new();

        public HashSet<string> Minted { get; } = new(StringComparer.Ordinal);

        public void Edit(Random rng)
        {
            var choices = Enumerable.Range(0, rng.Next(1, 6)).Select(_ => rng.Next(10_000)).ToArray();
            var op = OtGenerators.Build(Document, choices);
            Document = op.Apply(Document);
            if (Client.ApplyClient(op))
            {
                Send(Client.Outstanding);
            }
        }

        public void Receive()
        {
            var frame = Inbox.Dequeue();
            if (frame.Revision <= Client.Revision)
            {
                return; // replayed twice
            }

            Assert.Equal(Client.Revision + 1, frame.Revision);
            if (Client.Outstanding?.Id == frame.Id)
            {
                Send(Client.ServerAck());
            }
            else
            {
                Document = Client.ApplyServer(frame.Operation).Apply(Document);
            }
        }

        public void Reconnect(List<Committed> log)
        {
            Inbox = new Queue<Committed>(log.Skip((int)Client.Revision));
            Outbox = new Queue<OtClient.Submit>();
            if (Client.Outstanding is not null)
            {
                Outbox.Enqueue(Client.Outstanding);
            }
        }

        private void Send(OtClient.Submit? submit)
        {
            if (submit is not null)
            {
                Minted.Add(submit.Id);
                Outbox.Enqueue(submit);
            }
        }
    }
}
