// The layers of KefuSync.AspNetCore, as docs/architecture.md ("Layers") draws them, checked over every type of the
// assembly: what each folder (namespace) may use, from its signatures and from the IL of its method bodies (calls,
// field access, newobj, casts, ldtoken, generic arguments), so a fully qualified use without a `using` is caught too.
using System.CodeDom.Compiler;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using KefuSync.Ot;

namespace KefuSync.Tests.Architecture;

public sealed class LayerTests
{
    /// <summary>
    /// Each area of the core assembly and the areas it may use, bottom-up. An area is a folder and its namespace
    /// (<c>KefuSync.Sync</c> is <c>Sync</c>); <c>Contracts</c> is the root namespace <c>KefuSync</c> (options, the host's
    /// service interface and its values); <c>Api</c> is the registration and mapping extensions, which live in the
    /// framework's namespaces so a host finds them without a using.
    /// </summary>
    internal static readonly (string Area, string[] MayUse)[] Layers =
    [
        ("Ot", []),
        ("Protocol", []),
        ("Contracts", ["Ot"]),
        ("Diagnostics", []),
        ("Stores", []),
        ("Backplane", []),
        ("Email", ["Contracts"]),
        ("Security", ["Protocol", "Contracts"]),
        ("Availability", ["Protocol", "Contracts", "Security", "Email"]),
        ("Sync", ["Ot", "Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security"]),
        ("Conversations", ["Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Email", "Security", "Sync"]),
        ("Leasing", ["Protocol", "Stores", "Conversations"]),
        ("Presence", ["Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security", "Sync"]),
        ("Dispatch", ["Ot", "Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security", "Availability", "Sync", "Conversations", "Presence"]),
        ("Settings", ["Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security", "Sync", "Availability"]),
        ("Transport", ["Protocol", "Contracts", "Diagnostics", "Backplane", "Security", "Availability", "Sync", "Dispatch"]),
        ("Endpoints", ["Contracts"]),
        ("Attachments", ["Protocol", "Contracts", "Stores", "Security", "Sync", "Conversations", "Endpoints"]),
        ("Widget", ["Contracts", "Security", "Endpoints"]),
        ("AgentConsole", ["Contracts", "Protocol", "Security", "Endpoints", "Widget", "Availability"]),
        ("FollowUp", ["Protocol", "Contracts", "Diagnostics", "Stores", "Email", "Security", "Sync", "Conversations", "Presence", "Endpoints", "Widget"]),
        ("Webhooks", ["Protocol", "Contracts", "Diagnostics", "Stores", "Sync", "Conversations", "Leasing"]),
        ("RestApi", ["Protocol", "Contracts", "Stores", "Security", "Sync", "Conversations", "Leasing", "Webhooks"]),
        ("Bots", ["Protocol", "Contracts", "Diagnostics", "Stores", "Security", "Sync", "Conversations", "Leasing"]),
        ("Hosting", ["Ot", "Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security", "Sync", "Conversations", "Presence", "Dispatch", "Transport", "Endpoints", "Widget", "AgentConsole", "Attachments", "Email", "Availability", "Settings", "FollowUp", "Leasing", "Webhooks"]),
        ("Api", ["Ot", "Protocol", "Contracts", "Diagnostics", "Stores", "Backplane", "Security", "Sync", "Conversations", "Presence", "Dispatch", "Transport", "Endpoints", "Widget", "AgentConsole", "Attachments", "Email", "Availability", "Settings", "FollowUp", "Leasing", "Webhooks", "RestApi", "Bots", "Hosting"]),
    ];

    /// <summary>Areas that depend on the BCL alone: no ASP.NET Core, Microsoft.Extensions, EF Core, Redis or any other package.</summary>
    private static readonly string[] BclOnly = ["Ot", "Protocol"];

    private static readonly Assembly Core = typeof(TextOperation).Assembly;

    [Fact]
    public void EveryArea_UsesOnlyTheAreasBelowIt()
    {
        var allowed = Layers.ToDictionary(l => l.Area, l => new HashSet<string>(l.MayUse));
        var offenders = Uses()
            .Where(u => u.To is not null && u.To != u.From && !allowed[u.From].Contains(u.To))
            .GroupBy(u => (u.From, u.To))
            .Select(g => $"{g.Key.From} uses {g.Key.To}: {string.Join("; ", g.Select(u => u.Example).Distinct().Take(3))}")
            .ToList();
        Assert.True(offenders.Count == 0, "Layer rule broken (docs/architecture.md, \"Layers\"):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void BclOnlyAreas_ReferenceNoPackage()
    {
        var offenders = Uses()
            .Where(u => BclOnly.Contains(u.From) && u.Target.Assembly != Core && !IsBcl(u.Target.Assembly))
            .Select(u => $"{u.From} uses {u.Target.Assembly.GetName().Name}: {u.Example}")
            .Distinct()
            .Take(20)
            .ToList();
        Assert.True(offenders.Count == 0, "Ot/ and Protocol/ use the BCL only:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void NoTwoAreas_UseEachOther_NorFormACycle()
    {
        var edges = Uses().Where(u => u.To is not null && u.To != u.From).Select(u => (u.From, To: u.To!)).Distinct().ToList();
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, "Areas form a cycle: " + (cycle is null ? "" : string.Join(" -> ", cycle)));

        // The table itself is a strict order: each area may use only areas listed before it.
        var seen = new HashSet<string>();
        foreach (var (area, mayUse) in Layers)
        {
            Assert.All(mayUse, used => Assert.True(seen.Contains(used), $"{area} may use {used}, which is not below it in the table"));
            seen.Add(area);
        }
    }

    [Fact]
    public void TheTable_CoversEveryFolderOfTheAssembly()
    {
        var areas = Core.GetTypes().Where(t => !IsGenerated(t)).Select(AreaOf).ToHashSet();
        Assert.DoesNotContain(null, areas);
        var listed = Layers.Select(l => l.Area).ToHashSet();
        Assert.Empty(areas.Except(listed));
        Assert.Empty(listed.Except(areas!)); // no stale row either
        var onDisk = Directory.GetDirectories(SourceDirectory())
            .Select(Path.GetFileName)
            .Where(d => d is not ("bin" or "obj"))
            .ToHashSet();
        Assert.Empty(onDisk.Except(listed!));
    }

    [Fact]
    public void TheScanner_SeesUsesInMethodBodies()
    {
        // CommitPipeline names FrameWriter in no signature, only in a call inside a method body: the scanner must see it.
        // (Constants are the one use no scanner can see: the compiler copies their value, so nothing refers to them.)
        var uses = Uses().Where(u => u.From == "Sync" && u.To == "Protocol").Select(u => u.Example).ToList();
        Assert.Contains(uses, e => e.StartsWith("KefuSync.Sync.CommitPipeline", StringComparison.Ordinal) && e.Contains("-> KefuSync.Protocol.FrameWriter (in the body of", StringComparison.Ordinal));
    }

    internal readonly record struct Use(string From, string? To, Type Target, string Example);

    private static List<Use>? s_uses;

    internal static List<Use> Uses()
    {
        if (s_uses is not null)
        {
            return s_uses;
        }

        var uses = new List<Use>();
        foreach (var type in Core.GetTypes())
        {
            if (AreaOf(type) is not { } from)
            {
                continue;
            }

            foreach (var (target, how) in UsedBy(type))
            {
                foreach (var used in Flatten(target))
                {
                    if (used.IsGenericParameter)
                    {
                        continue;
                    }

                    uses.Add(new Use(from, used.Assembly == Core ? AreaOf(used) : null, used, $"{Name(type)} -> {Name(used)} ({how})"));
                }
            }
        }

        return s_uses = uses;
    }

    /// <summary>The area of a type of the core assembly, or null for a type of another assembly or one the compiler generated.</summary>
    internal static string? AreaOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        if (type.Assembly != Core || IsGenerated(type))
        {
            return null;
        }

        var ns = type.Namespace ?? "";
        return ns switch
        {
            "KefuSync" => "Contracts",
            "Microsoft.Extensions.DependencyInjection" or "Microsoft.AspNetCore.Builder" => "Api",
            _ when ns.StartsWith("KefuSync.", StringComparison.Ordinal) => ns.Split('.')[1],
            _ => null,
        };
    }

    private static bool IsGenerated(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        // Compiler-made types (<PrivateImplementationDetails>, embedded attributes) and generator output outside our namespaces.
        return type.IsDefined(typeof(CompilerGeneratedAttribute), false)
            || (type.IsDefined(typeof(GeneratedCodeAttribute), false) && !(type.Namespace ?? "").StartsWith("KefuSync", StringComparison.Ordinal))
            || type.Namespace is "Microsoft.CodeAnalysis" or "System.Runtime.CompilerServices";
    }

    private static IEnumerable<(Type Target, string How)> UsedBy(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return (baseType, "base type");
        }

        foreach (var item in type.GetInterfaces())
        {
            yield return (item, "interface");
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            yield return (attribute.AttributeType, "attribute");
        }

        foreach (var field in type.GetFields(all))
        {
            yield return (field.FieldType, "field " + field.Name);
        }

        foreach (var property in type.GetProperties(all))
        {
            yield return (property.PropertyType, "property " + property.Name);
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                yield return (info.ReturnType, "returns, " + method.Name);
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return (parameter.ParameterType, "parameter of " + method.Name);
            }

            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            foreach (var local in body.LocalVariables)
            {
                yield return (local.LocalType, "local in " + method.Name);
            }

            foreach (var target in Il.Tokens(method, body))
            {
                yield return (target, "in the body of " + method.Name);
            }
        }
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Flatten(type.GetElementType()!))
            {
                yield return t;
            }

            yield break;
        }

        yield return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return t;
            }
        }
    }

    private static bool IsBcl(Assembly assembly)
    {
        var name = assembly.GetName().Name ?? "";
        return name is "System" or "mscorlib" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal);
    }

    private static List<string>? FindCycle(List<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var state = new Dictionary<string, int>(); // 1 visiting, 2 done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(to) == 1)
                {
                    return [.. path.SkipWhile(n => n != to), to];
                }

                if (state.GetValueOrDefault(to) == 0 && Visit(to) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in next.Keys)
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static string Name(Type type) => type.DeclaringType is { } outer ? Name(outer) + "." + type.Name : type.Namespace + "." + type.Name;

    private static string SourceDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "src", "KefuSync.AspNetCore")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("src/KefuSync.AspNetCore not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "src", "KefuSync.AspNetCore");
    }

    /// <summary>Reads the metadata tokens a method body's IL refers to (members and types), resolved to the types they name.</summary>
    private static class Il
    {
        private static readonly OpCode[] OneByte = new OpCode[0x100];
        private static readonly OpCode[] TwoByte = new OpCode[0x100];

        static Il()
        {
            foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var code = (OpCode)field.GetValue(null)!;
                var value = (ushort)code.Value;
                if (code.Size == 1)
                {
                    OneByte[value] = code;
                }
                else
                {
                    TwoByte[value & 0xFF] = code;
                }
            }
        }

        public static IEnumerable<Type> Tokens(MethodBase method, MethodBody body)
        {
            var il = body.GetILAsByteArray() ?? [];
            var module = method.Module;
            var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
            var found = new List<Type>();
            var i = 0;
            while (i < il.Length)
            {
                var code = il[i] == 0xFE ? TwoByte[il[++i]] : OneByte[il[i]];
                i++;
                switch (code.OperandType)
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineType:
                    case OperandType.InlineTok:
                        var member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs)
                            ?? throw new InvalidOperationException($"Token at IL_{i:x4} of {method.DeclaringType}.{method.Name} did not resolve.");
                        Collect(member, found);
                        i += 4;
                        break;
                    case OperandType.InlineSwitch:
                        i += 4 + (BitConverter.ToInt32(il, i) * 4);
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        i += 1;
                        break;
                    case OperandType.InlineVar:
                        i += 2;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        i += 8;
                        break;
                    default:
                        i += 4; // InlineI, InlineBrTarget, InlineSig, InlineString, ShortInlineR
                        break;
                }
            }

            return found;
        }

        private static void Collect(MemberInfo member, List<Type> into)
        {
            switch (member)
            {
                case Type type:
                    into.Add(type);
                    break;
                case FieldInfo field:
                    into.Add(field.DeclaringType!);
                    into.Add(field.FieldType);
                    break;
                case MethodBase method:
                    into.Add(method.DeclaringType!);
                    if (method is MethodInfo info)
                    {
                        into.Add(info.ReturnType);
                        if (info.IsGenericMethod)
                        {
                            into.AddRange(info.GetGenericArguments());
                        }
                    }

                    into.AddRange(method.GetParameters().Select(p => p.ParameterType));
                    break;
            }
        }
    }
}
