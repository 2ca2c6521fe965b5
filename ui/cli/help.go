package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"ledgerlink/words"
)

// usageTemplate is cobra's usage template with its headings from the
// catalogue: each %[n]s is one of the words usageWords lists, in order.
const usageTemplate = `%[1]s{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

%[2]s
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

%[3]s
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

%[4]s{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

%[5]s
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

%[6]s
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

%[7]s{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

%[8]s{{end}}
`

// sayCobrasWords puts the words cobra adds of its own in the person's
// language: the usage headings, the help and completion verbs and every
// verb's --help flag. Cobra's error messages ("unknown flag: --x") stay as
// cobra writes them, inside a sentence of LedgerLink's.
func sayCobrasWords(root *cobra.Command, w *words.Words) {
	heading := []any{
		w.T("verbs.help.usage"),
		w.T("verbs.help.aliases"),
		w.T("verbs.help.examples"),
		w.T("verbs.help.commands"),
		w.T("verbs.help.flags"),
		w.T("verbs.help.global_flags"),
		w.T("verbs.help.topics"),
		// cobra fills {{.CommandPath}} when it runs the template.
		w.T("verbs.help.more", "Command", "{{.CommandPath}}"),
	}
	root.SetUsageTemplate(fmt.Sprintf(usageTemplate, heading...))

	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Short = w.T("verbs.help.short")
			c.Long = w.T("verbs.help.long")
		case "completion":
			c.Short = w.T("verbs.completion.short")
			c.Long = w.T("verbs.completion.long")
			for _, sh := range c.Commands() {
				sh.Short = w.T("verbs.completion.shell", "Shell", sh.Name())
			}
		}
	}
	var help func(c *cobra.Command)
	help = func(c *cobra.Command) {
		c.Flags().BoolP("help", "h", false, w.T("verbs.flag.help", "Verb", c.Name()))
		for _, sub := range c.Commands() {
			help(sub)
		}
	}
	help(root)
}
