// Keeps KefuSync.Ot free of ASP.NET, Redis and EF types (docs/STYLE: Ot/ depends on the BCL only), by inspecting
// the signatures and the IL type references of every type in the namespace.
using System.Reflection;
using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

public sealed class OtDependencyTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Microsoft.AspNetCore", "Microsoft.Extensions", "Microsoft.EntityFrameworkCore", "StackExchange", "Polly", "KefuSync.Stores",
        "KefuSync.Backplane", "KefuSync.Transport", "KefuSync.Sync", "KefuSync.Protocol",
    ];

    [Fact]
    public void OtNamespace_ReferencesOnlyTheBcl()
    {
        var types = typeof(TextOperation).Assembly.GetTypes()
            .Where(t => t.Namespace == "KefuSync.Ot" || (t.DeclaringType?.Namespace == "KefuSync.Ot"))
            .ToList();
        Assert.Contains(typeof(TextOperation), types);

        var offenders = new List<string>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types)
        {
            var used = new List<Type?> { type.BaseType };
            used.AddRange(type.GetInterfaces());
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method is MethodInfo info)
                {
                    used.Add(info.ReturnType);
                }

                used.AddRange(method.GetParameters().Select(p => p.ParameterType));
                used.AddRange(method.GetMethodBody()?.LocalVariables.Select(l => l.LocalType) ?? []);
            }

            foreach (var name in used.OfType<Type>().SelectMany(Flatten).Select(t => t.FullName ?? t.Name))
            {
                if (ForbiddenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
                {
                    offenders.Add($"{type.Name} uses {name}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var t in Flatten(type.GetElementType()!))
            {
                yield return t;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return t;
            }
        }
    }
}
