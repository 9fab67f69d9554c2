# driftline's RT recipe: what an RT shop configures so that every stage of a ticket journey
# happens, and can be observed, on Request Tracker 5 (loaded with rt-setup-database --action
# insert --datafile). RT has queues, owners and SLA deadlines but no automatic dispatch and no
# alert event of its own:
#   - dispatch: an On Create scrip assigns each new ticket of queue Driftline to the least busy
#     member of group Dispatch;
#   - alert: ServiceAgreements (site config) set Due; `rt-crontool` (.ci/rt/escalate, every few
#     seconds) raises the priority of unanswered tickets past Due to 99: the escalation;
#   - respond: a correspondence opens the ticket (RT's stock "On Correspond Open Inactive
#     Tickets" scrip), which sets Started; resolve sets Resolved; a reply reopens.
# The load user `driftline` (password from DRIFTLINE_RT_PASSWORD) talks REST 2.0 with basic auth.

@Users = (
    {
        Name         => 'driftline',
        Password     => $ENV{DRIFTLINE_RT_PASSWORD},
        EmailAddress => 'driftline@driftline.test',
        RealName     => 'driftline load generator',
        Privileged   => 1,
    },
    {
        # rt-crontool acts as the RT user whose Gecos is the unix login running it
        Name       => 'escalation',
        Gecos      => 'www-data',
        RealName   => 'SLA escalation (rt-crontool)',
        Privileged => 1,
    },
    map { {
        Name         => "agent$_",
        EmailAddress => "agent$_\@driftline.test",
        RealName     => "Dispatch agent $_",
        Privileged   => 1,
    } } 1 .. 4,
);

@Groups = (
    {
        Name        => 'Dispatch',
        Description => 'agents the on-create scrip assigns tickets to',
        Members     => { Users => [ map { "agent$_" } 1 .. 4 ] },
    },
);

@Queues = (
    {
        Name              => 'Driftline',
        Description       => 'tickets of driftline stress runs',
        CorrespondAddress => '',
        CommentAddress    => '',
        SLADisabled       => 0,
    },
);

@ACL = (
    { UserId => 'driftline',  Right => 'SuperUser' },
    { UserId => 'escalation', Right => 'SuperUser' },
    map { {
        GroupDomain => 'UserDefined', GroupId => 'Dispatch', Queue => 'Driftline', Right => $_,
    } } qw(OwnTicket ShowTicket ModifyTicket ReplyToTicket SeeQueue),
);

@Scrips = (
    {
        Description       => 'driftline: auto-assign new tickets to the least busy dispatcher',
        Queue             => 'Driftline',
        ScripCondition    => 'On Create',
        ScripAction       => 'User Defined',
        Template          => 'Blank',
        CustomPrepareCode => 'return 1;',
        CustomCommitCode  => <<'PERL',
my $ticket = $self->TicketObj;
return 1 if $ticket->Owner != RT->Nobody->id;
my $group = RT::Group->new(RT->SystemUser);
$group->LoadUserDefinedGroup('Dispatch');
my ($best, $load);
my $members = $group->UserMembersObj;
while (my $user = $members->Next) {
    my $active = RT::Tickets->new(RT->SystemUser);
    $active->FromSQL("Owner = '" . $user->Name . "' AND (Status = 'new' OR Status = 'open')");
    my $n = $active->Count;
    ($best, $load) = ($user, $n) if !defined $load || $n < $load;
}
return 1 unless $best;
my ($ok, $msg) = $ticket->SetOwner($best->id);
RT->Logger->error("driftline auto-assign of ticket " . $ticket->id . ": $msg") unless $ok;
return $ok;
PERL
    },
);

1;
